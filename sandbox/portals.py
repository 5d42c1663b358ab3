"""The sandbox portals as one catalog: who signs in how, and how to start one with its processor.

The demo, the tests and the benchmarks all start a portal the same way: the card processor
first (every portal charges through it), then the portal pointed at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from models.connections import PortalName
from sandbox.launcher import PortalProcess


@dataclass(frozen=True)
class SandboxPortal:
    name: PortalName
    # How each seeded login answers the one-time code: "totp" | "sms" | "email" → username.
    logins_by_mfa: dict[str, str]
    wrong_password_username: str = "wrong.password"

    @property
    def demo_username(self) -> str:
        """The login whose authenticator codes BillBridge answers itself."""
        return self.logins_by_mfa["totp"]


SANDBOX_PORTALS: dict[PortalName, SandboxPortal] = {
    PortalName.CEDAR: SandboxPortal(
        PortalName.CEDAR,
        {"totp": "demo.patient", "sms": "sms.patient", "email": "email.patient"},
    ),
    PortalName.PATIENTCO: SandboxPortal(
        PortalName.PATIENTCO, {"totp": "demo.staff", "email": "email.staff"}
    ),
    PortalName.HEALTHPAY24: SandboxPortal(
        PortalName.HEALTHPAY24, {"totp": "demo.patient", "sms": "sms.patient"}
    ),
}


class SandboxStack:
    """The processor and one portal using it, each a child process stopped by its pid."""

    def __init__(
        self, portal: PortalName, data_dir: Path, *, seed: int = 42, fresh: bool = False
    ) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        if fresh:
            for name in ("processor", portal.value):
                (data_dir / f"{name}.db").unlink(missing_ok=True)
        self.processor = PortalProcess(
            "processor", data_dir / "processor.db", seed=seed,
            log_path=data_dir / "processor.log",
        )  # fmt: skip
        self.portal = PortalProcess(
            portal.value, data_dir / f"{portal.value}.db", seed=seed,
            log_path=data_dir / f"{portal.value}.log",
            extra_args=["--processor-url", self.processor.base_url],
        )  # fmt: skip

    def start(self) -> SandboxStack:
        self.processor.start()
        try:
            self.portal.start()
        except BaseException:
            self.processor.stop()
            raise
        return self

    def stop(self) -> None:
        self.portal.stop()
        self.processor.stop()

    def __enter__(self) -> SandboxStack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
