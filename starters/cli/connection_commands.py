"""``billbridge connections list | add | repair | settlement-sftp``: the portal logins
BillBridge signs in with (and where settlement files come from)."""

from __future__ import annotations

import argparse
import getpass

from pydantic import SecretStr

from models.connections import PortalName
from models.settings import Settings
from starters.cli.commands import Commands
from starters.cli.console import say


def register(commands: Commands) -> None:
    connections = commands.add_parser("connections", help="manage portal connections")
    actions = connections.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="list connections (no secrets shown)").set_defaults(
        handler=list_connections
    )
    repair = actions.add_parser(
        "repair", help="store a new password for a connection that needs one, and sign in"
    )
    repair.add_argument("id")
    repair.set_defaults(handler=repair_connection)
    add = actions.add_parser(
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
    add.set_defaults(handler=add_connection)
    sftp = actions.add_parser(
        "settlement-sftp",
        help="store where a connection's settlement files come over SFTP (HealthPay24); "
        "the password is read from the terminal",
    )
    sftp.add_argument("id")
    sftp.add_argument("--host", required=True)
    sftp.add_argument("--port", type=int, default=22)
    sftp.add_argument("--username", required=True)
    sftp.add_argument(
        "--host-key-fingerprint", required=True, help="SHA256:… (ssh-keygen -lf the host key)"
    )
    sftp.add_argument("--directory", default=".", help="the folder the files are dropped in")
    sftp.add_argument("--secret-store", choices=["local", "aws-sm"], default="local")
    sftp.set_defaults(handler=set_settlement_sftp)


def _secret(given: SecretStr | None, prompt: str) -> str:
    """A script's secret from the settings (the environment), else the person's, unechoed."""
    return (given.get_secret_value() if given is not None else "") or getpass.getpass(prompt)


async def list_connections(args: argparse.Namespace, settings: Settings) -> int:
    from stores.connections import ConnectionRegistry

    for connection in ConnectionRegistry(settings.connections_file).all().values():
        mfa = "TOTP" if connection.totp_secret_ref else "none stored"
        say(f"{connection.id}\t{connection.portal}\t{connection.base_url}\tMFA: {mfa}")
    return 0


async def add_connection(args: argparse.Namespace, settings: Settings) -> int:
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


async def repair_connection(args: argparse.Namespace, settings: Settings) -> int:
    from starters.client import SessionsClient
    from starters.client.actors import operator_actor
    from stores.connections import ConnectionRegistry
    from stores.secrets import open_secret_store
    from workers.temporal_client import connect

    connection = ConnectionRegistry(settings.connections_file).get(args.id)
    password = _secret(settings.portal_password, "New password: ")
    # Dialed before the password is stored: with no server, nothing is half done.
    client = await connect(settings)
    open_secret_store(settings).put(connection.password_ref, password)
    view = await SessionsClient(client, operator_actor(settings.operator)).credentials_replaced(
        args.id
    )
    say(f"connection {args.id}: new password stored; session is {view.status.value}")
    return 0


async def set_settlement_sftp(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from models.errors import InvalidInput
    from models.settlements import SftpLogin
    from stores.connections import set_settlement_sftp as store_login

    if not args.host_key_fingerprint.startswith("SHA256:"):
        raise InvalidInput("--host-key-fingerprint must be a SHA256:… fingerprint")
    # Plain JSON, not SftpLogin's dump: SecretStr would store stars instead of the password.
    secret = json.dumps({
        "host": args.host, "port": args.port, "username": args.username,
        "password": getpass.getpass("SFTP password: "),
        "host_key_fingerprint": args.host_key_fingerprint, "directory": args.directory,
    })  # fmt: skip
    SftpLogin.model_validate_json(secret)  # what the activity will read must parse
    store_login(settings, args.id, secret, secret_store=args.secret_store)
    say(f"connection {args.id}: settlement SFTP login stored by reference")
    return 0
