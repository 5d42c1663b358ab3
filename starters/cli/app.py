"""The ``billbridge`` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import SecretStr, ValidationError

from models.card_numbers import refuse_card_numbers_in
from models.connections import PortalName
from models.errors import BillBridgeError, InvalidInput
from models.money import parse_amount_to_cents
from models.payments import PostPaymentRequest
from models.settings import Settings
from security.redacted_logging import configure_logging
from security.redaction import redact
from starters.cli.audit_commands import add_audit_commands
from starters.cli.console import complain, say, show_payment, show_progress
from workers.process_exit import exit_now


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="billbridge", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("worker", help="run a worker (workflows + browser activities)")
    add_audit_commands(commands)

    pay = commands.add_parser("pay", help="post a payment on a statement and wait for it")
    pay.add_argument("--connection", required=True, help="connection id")
    pay.add_argument("--statement", required=True, help="the portal's statement id")
    pay.add_argument("--amount", required=True, help="amount in dollars, e.g. 25.00")
    pay.add_argument("--method", required=True, help="payment-method token (never a card number)")
    pay.add_argument(
        "--idempotency-key",
        help="reuse to make a retry safe; a new random key is made (and printed) if omitted",
    )
    pay.add_argument("--no-wait", action="store_true", help="start it and print the id only")

    demo = commands.add_parser("demo", help="sandbox + Temporal + worker + one payment")
    demo.add_argument("--once", action="store_true", help="exit after the payment")
    demo.add_argument("--portal", choices=[p.value for p in PortalName], default="cedar")
    demo.add_argument(
        "--mfa",
        choices=["totp", "sms", "email"],
        default="totp",
        help="sms/email: the login waits for you to type the code the sandbox sent",
    )

    codec = commands.add_parser(
        "codec-server", help="decrypt payloads for the Temporal UI and CLI (token required)"
    )
    codec.add_argument("--host", default="127.0.0.1")
    codec.add_argument("--port", type=int, default=8081)
    codec.add_argument(
        "--ui-origin",
        action="append",
        default=[],
        help="the Temporal UI's origin allowed by CORS, e.g. http://localhost:8233 (repeatable)",
    )

    keys = commands.add_parser("keys", help="payload-encryption keys (ids only, never material)")
    key_commands = keys.add_subparsers(dest="action", required=True)
    key_commands.add_parser("list", help="the key ids loaded, and which one encrypts")
    key_commands.add_parser(
        "rotate", help="add a new active key; old keys stay so old histories stay readable"
    )
    key_commands.add_parser("codec-token", help="print the codec server's token (operators only)")

    mfa = commands.add_parser("mfa", help="logins waiting for a person's one-time code")
    mfa_commands = mfa.add_subparsers(dest="action", required=True)
    mfa_commands.add_parser("list", help="pending challenges: connection, method, where, age")
    submit = mfa_commands.add_parser("submit", help="answer a pending challenge")
    submit.add_argument("connection")
    submit.add_argument("code")
    resend = mfa_commands.add_parser("resend", help="ask the portal for a new code")
    resend.add_argument("connection")

    connections = commands.add_parser("connections", help="manage portal connections")
    conn_commands = connections.add_subparsers(dest="action", required=True)
    conn_commands.add_parser("list", help="list connections (no secrets shown)")
    repair = conn_commands.add_parser(
        "repair", help="store a new password for a connection that needs one, and sign in"
    )
    repair.add_argument("id")
    add = conn_commands.add_parser(
        "add", help="add or replace a connection; secrets are read from the terminal or env"
    )
    add.add_argument("id")
    add.add_argument("--portal", choices=[p.value for p in PortalName], required=True)
    add.add_argument("--base-url", required=True)
    add.add_argument("--username", required=True)
    add.add_argument(
        "--with-totp", action="store_true", help="also store a TOTP secret for automatic MFA"
    )
    add.add_argument(
        "--secret-store",
        choices=["local", "aws-sm"],
        default="local",
        help="where the password and TOTP secret go: the encrypted local file or AWS "
        "Secrets Manager (needs BILLBRIDGE_AWS_SECRETS_MANAGER=true)",
    )

    receipts = commands.add_parser("receipts", help="stored receipts and other artifacts")
    receipt_commands = receipts.add_subparsers(dest="action", required=True)
    link = receipt_commands.add_parser("link", help="print a link to an artifact that expires")
    link.add_argument("key", help="artifact key, e.g. receipts/<connection>/<confirmation>.pdf")
    link.add_argument("--ttl-minutes", type=int, default=15, help="default 15")
    return parser


async def _pay(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import BillBridgeClient

    key = args.idempotency_key or uuid.uuid4().hex
    try:
        amount_cents = parse_amount_to_cents(args.amount)
    except ValueError:
        raise InvalidInput(f"--amount must look like 25.00 (got {args.amount!r})") from None
    request = PostPaymentRequest(
        connection_id=args.connection,
        statement_id=args.statement,
        amount_cents=amount_cents,
        payment_method_token=args.method,
        idempotency_key=key,
    )
    client = await BillBridgeClient.connect(settings)
    handle = await client.start_payment(request)
    say(f"Payment workflow {handle.workflow_id} (idempotency key {key})")
    if args.no_wait:
        return 0
    result = await handle.result(show_progress)
    show_payment(result)
    return 0


def _secret(given: SecretStr | None, prompt: str) -> str:
    """A script's secret from the settings (the environment), else the person's, unechoed."""
    return (given.get_secret_value() if given is not None else "") or getpass.getpass(prompt)


def _add_connection(args: argparse.Namespace, settings: Settings) -> int:
    from stores.connections import save_connection

    password = _secret(settings.portal_password, "Portal password: ")
    totp = None
    if args.with_totp:
        totp = _secret(settings.portal_totp_secret, "TOTP secret: ")
    save_connection(
        settings,
        connection_id=args.id,
        portal=PortalName(args.portal),
        base_url=args.base_url,
        username=args.username,
        password=password,
        totp_secret=totp,
        secret_store=args.secret_store,
    )
    say(f"connection {args.id} saved ({settings.connections_file}); secrets by reference only")
    return 0


async def _repair_connection(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import SessionsClient
    from starters.client.actors import operator_actor
    from stores.connections import ConnectionRegistry
    from stores.secrets import open_secret_store
    from workers.temporal_client import connect

    connection = ConnectionRegistry(settings.connections_file).get(args.id)
    password = _secret(settings.portal_password, "New password: ")
    open_secret_store(settings).put(connection.password_ref, password)
    sessions = SessionsClient(await connect(settings), operator_actor(settings.operator))
    view = await sessions.credentials_replaced(args.id)
    say(f"connection {args.id}: new password stored; session is {view.status.value}")
    return 0


async def _mfa(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import SessionsClient
    from starters.client.actors import operator_actor
    from workers.temporal_client import connect

    sessions = SessionsClient(await connect(settings), operator_actor(settings.operator))
    if args.action == "submit":
        result = await sessions.submit_mfa_code(args.connection, args.code)
        say(("accepted: " if result.accepted else "not accepted: ") + result.message)
        return 0 if result.accepted else 1
    if args.action == "resend":
        view = await sessions.resend_mfa_code(args.connection)
        where = view.challenge.masked_destination if view.challenge else None
        say(f"a new code was sent to {where or 'the enrolled device'}")
        return 0
    pending = await sessions.pending_mfa()
    if not pending:
        say("no logins are waiting for a code")
    for view in pending:
        assert view.challenge is not None
        age = datetime.now(UTC) - view.challenge.raised_at
        say(
            f"{view.connection_id}\t{view.challenge.method}\t"
            f"{view.challenge.masked_destination or '-'}\t{int(age.total_seconds())}s ago\t"
            f"{view.challenge.attempts_left} attempts left"
        )
    return 0


def _keys(args: argparse.Namespace, settings: Settings) -> int:
    from starters.servers.codec_server import codec_server_token
    from stores.keyring import load_keyring, rotate_keyring
    from stores.secrets import open_secret_store

    store = open_secret_store(settings)
    if args.action == "codec-token":
        say(codec_server_token(store))
        return 0
    if args.action == "rotate":
        keyring = rotate_keyring(store, settings.codec_keys)
        say(f"new active key {keyring.active}; restart workers and clients to encrypt with it")
    else:
        keyring = load_keyring(store, settings.codec_keys)
    for key_id in sorted(keyring.keys):
        role = "active (encrypts and decrypts)" if key_id == keyring.active else "decrypts"
        say(f"{key_id}\t{role}")
    return 0


def _list_connections(settings: Settings) -> int:
    from stores.connections import ConnectionRegistry

    for connection in ConnectionRegistry(settings.connections_file).all().values():
        mfa = "TOTP" if connection.totp_secret_ref else "none stored"
        say(f"{connection.id}\t{connection.portal}\t{connection.base_url}\tMFA: {mfa}")
    return 0


async def _run(args: argparse.Namespace) -> int:
    # Every argument of every command, before anything is connected, parsed or echoed.
    for name, value in vars(args).items():
        refuse_card_numbers_in(value, f"the {name.replace('_', '-')} argument")
    settings = Settings()
    if args.command == "worker":
        from workers.main import run_worker

        await run_worker(settings)
        return 0
    if args.command == "pay":
        return await _pay(args, settings)
    if args.command == "demo":
        from starters.local.demo import run_demo

        return await run_demo(
            settings, once=args.once, portal=PortalName(args.portal), mfa=args.mfa
        )
    if args.command == "mfa":
        return await _mfa(args, settings)
    if args.command == "audit":
        from starters.cli.audit_commands import run_audit

        return await run_audit(args, settings)
    if args.command == "codec-server":
        from starters.servers.codec_server import serve

        await serve(settings, host=args.host, port=args.port, ui_origins=args.ui_origin)
        return 0
    if args.command == "keys":
        return _keys(args, settings)
    if args.command == "receipts":
        from starters.servers.receipt_links import print_receipt_link

        return print_receipt_link(args, settings)
    if args.action == "add":
        return _add_connection(args, settings)
    if args.action == "repair":
        return await _repair_connection(args, settings)
    return _list_connections(settings)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        # SIGTERM unwinds like Ctrl-C, so the demo stops its children (by pid) on the way out.
        signal.signal(signal.SIGTERM, _interrupt)
    configure_logging(logging.INFO if args.command == "worker" else logging.WARNING)
    try:
        code = asyncio.run(_run(args))
    except BillBridgeError as err:
        # Redacted: a portal's text may be in it, and stderr often ends up in a log.
        complain(redact(f"error: {err.type}: {err.message}"))
        code = 2 if isinstance(err, InvalidInput) else 1
    except ValidationError as err:
        problem = err.errors(include_input=False)[0]
        complain(redact(f"error: invalid input: {problem['loc']}: {problem['msg']}"))
        code = 2
    except KeyboardInterrupt:
        code = 130
    exit_now(code)
