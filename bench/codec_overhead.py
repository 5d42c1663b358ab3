"""What encryption costs per payload: the encrypting converter vs the plain pydantic one.

Both convert the same payment input and result to payloads and back (what a client, a
worker and the codec server do for every event), in interleaved runs on the same machine.
The payment itself is dominated by the browser (bench.payment_vs_bare), so this isolates
the codec's share.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, datetime

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from bench.common import machine, parse_bench_args, run_main, say, write_section
from models.money import Money
from models.payments import Payment, PostPaymentRequest, PostPaymentResult, StoredArtifact
from security.codec import encrypted_data_converter
from stores.keyring import new_keyring

ROUND_TRIPS = 2_000


def _values() -> list[object]:
    request = PostPaymentRequest(
        connection_id="clinic-a",
        statement_id="ST-100083",
        amount_cents=2500,
        payment_method_token="tok_014e6cf058879238ac19fa5f",
        idempotency_key="invoice-8812",
    )
    usd = Money(amount_cents=2500)
    result = PostPaymentResult(
        payment=Payment(
            confirmation_number="CNF-8F3A2C",
            statement_id="ST-100083",
            amount=usd,
            reference="bb-3f2a9c1d",
            method_last4="4242",
            posted_at=datetime(2026, 11, 23, tzinfo=UTC),
        ),
        receipt=StoredArtifact(
            key="receipts/clinic-a/CNF-8F3A2C.pdf",
            location="/home/billbridge/artifacts/receipts/clinic-a/CNF-8F3A2C.pdf",
            sha256="0" * 64,
            size_bytes=2048,
            content_type="application/pdf",
        ),
        balance_after=usd,
        already_posted=False,
    )
    return [request, result]


async def _round_trips(converter: DataConverter, values: list[object]) -> float:
    types = [type(value) for value in values]
    started = time.perf_counter()
    for _ in range(ROUND_TRIPS):
        payloads = await converter.encode(values)
        await converter.decode(payloads, types)
    return (time.perf_counter() - started) / ROUND_TRIPS


def main(argv: list[str]) -> int:
    args = parse_bench_args("bench.codec_overhead", __doc__, argv)
    values = _values()
    converters = {
        "plain": pydantic_data_converter,
        "encrypted": encrypted_data_converter(new_keyring()),
    }
    times: dict[str, list[float]] = {name: [] for name in converters}
    asyncio.run(_round_trips(converters["encrypted"], values))  # warm-up
    for run in range(args.runs):
        for name, converter in converters.items():
            times[name].append(asyncio.run(_round_trips(converter, values)))
        say(f"run {run + 1}: plain {times['plain'][-1] * 1e6:.0f} µs, "
            f"encrypted {times['encrypted'][-1] * 1e6:.0f} µs per round trip")  # fmt: skip
    plain, encrypted = (statistics.median(times[name]) for name in ("plain", "encrypted"))
    text = f"""
## Payload encryption: encrypting converter vs plain pydantic converter

- Command: `{args.command}`
- Date: {args.when}
- Machine: {machine()}
- Runs: {args.runs} of each, interleaved, after a warm-up; each run is {ROUND_TRIPS} round
  trips (encode + decode) of a payment's input and result, two payloads

| | median per round trip (µs) |
| --- | ---: |
| plain pydantic converter | {plain * 1e6:.0f} |
| encrypting converter (AES-256-GCM codec) | {encrypted * 1e6:.0f} |
| ratio encrypted / plain (median) | {encrypted / plain:.2f}× |
| added per payment round trip | {(encrypted - plain) * 1e6:.0f} µs |

A payment takes seconds in the browser (see above), so the codec adds well under a
millisecond per event to it.
"""
    say(text)
    if args.write:
        write_section("codec_overhead", text)
    return 0


if __name__ == "__main__":
    run_main(main)
