"""A second markup for the same pages (``layout=v2``) and structural faults, switched by the
admin API (``/__sandbox__/layout``).

Real portals change their pages without notice. ``v2`` is the redesign an adapter must
survive: other ids and classes, blocks reordered, wrappers added, a cookie banner over the
page until it is accepted. A structural fault is the change it must not survive, reported as
``PortalChanged`` before any money moves:

    no_sign_in_button   the sign-in page without its submit button
    captcha             the sign-in page asks for a CAPTCHA before it takes a password
    interstitial        an unexpected page ("We've updated our terms") right after sign-in
    no_pay_button       the pay form (its last step on a multi-step checkout) without its
                        submit button
    history_changed     the payment history without what a reference lookup reads (its
                        search button, or its table where it has no search)

A vendor's page renders ``v2/<name>`` from its templates folder when that file exists and
the layout is ``v2``; every template sees ``layout`` and ``fault`` in its context. Like the
other faults it lives in memory and goes with a reset.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class LayoutName(StrEnum):
    V1 = "v1"
    V2 = "v2"


class StructuralFault(StrEnum):
    NO_SIGN_IN_BUTTON = "no_sign_in_button"
    CAPTCHA = "captcha"
    INTERSTITIAL = "interstitial"
    NO_PAY_BUTTON = "no_pay_button"
    HISTORY_CHANGED = "history_changed"


class LayoutSettings(BaseModel):
    layout: LayoutName = LayoutName.V1
    structural_fault: StructuralFault | None = None


class Layout:
    V2_FOLDER = "v2"

    def __init__(self) -> None:
        self.settings = LayoutSettings()

    def clear(self) -> None:
        self.settings = LayoutSettings()

    def update(self, change: LayoutSettings) -> LayoutSettings:
        self.settings = change
        return self.settings

    def has(self, fault: StructuralFault) -> bool:
        return self.settings.structural_fault is fault

    def template_name(self, name: str, available: frozenset[str]) -> str:
        """``v2/<name>`` when the layout is v2 and the vendor has that page redesigned."""
        redesigned = f"{self.V2_FOLDER}/{name}"
        if self.settings.layout is LayoutName.V2 and redesigned in available:
            return redesigned
        return name
