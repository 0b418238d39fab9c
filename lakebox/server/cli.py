"""`lakebox serve`: configuration from arguments and the environment, then the event loop."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path


def add_parser(commands, add_workspace_options) -> None:
    serve = commands.add_parser("serve", help="serve the workspace over the PostgreSQL wire protocol")
    add_workspace_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=5439, help="port to listen on (default: 5439)")
    serve.add_argument("--user", default=os.environ.get("LAKEBOX_USER", "lakebox"),
                       help="the user clients log in as (default: $LAKEBOX_USER, else lakebox)")
    serve.add_argument("--password-file", metavar="FILE",
                       help="file holding the password (default: $LAKEBOX_PASSWORD)")
    serve.add_argument("--auth", choices=("scram-sha-256", "md5", "password", "trust"), default=None,
                       help="authentication method (default: scram-sha-256; trust only on loopback; "
                            "password (cleartext) only with TLS)")
    serve.add_argument("--tls-cert", metavar="PEM", help="TLS certificate (enables SSL)")
    serve.add_argument("--tls-key", metavar="PEM", help="TLS private key")
    serve.add_argument("--statement-timeout", type=_non_negative_int, default=0, metavar="MS",
                       help="default statement timeout in milliseconds (0 = none)")
    serve.add_argument("--max-connections", type=_non_negative_int, default=100, metavar="N",
                       help="most concurrent clients (default: 100)")
    serve.set_defaults(handler=run_serve_command)


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _password(args) -> str | None:
    if getattr(args, "password_file", None):
        text = Path(args.password_file).expanduser().read_text(encoding="utf-8")
        return text.rstrip("\r\n")
    return os.environ.get("LAKEBOX_PASSWORD") or None


def config_from_args(args, home: Path):
    from lakebox.server.server import ServerConfig

    return ServerConfig(home=home, host=args.host, port=args.port, dialect=args.dialect, user=args.user,
                        password=_password(args), auth_method=args.auth or "scram-sha-256",
                        tls_cert=args.tls_cert, tls_key=args.tls_key, statement_timeout_ms=args.statement_timeout,
                        max_connections=args.max_connections or 100)


def run_serve_command(args) -> int:
    from lakebox.cli.main import home_of
    from lakebox.server.server import ConfigError, Server

    home = home_of(args)
    home.mkdir(parents=True, exist_ok=True)
    try:
        server = Server(config_from_args(args, home.resolve()))
    except ConfigError as error:
        sys.stderr.write(f"error: {error}\n")
        return 1
    return asyncio.run(_serve(server))


async def _serve(server) -> int:
    await server.start()
    config = server.config
    sys.stderr.write(f"lakebox serving {config.home} ({config.dialect}) on {config.host}:{server.port}, "
                     f"user {config.user}, auth {config.auth_method}{', TLS' if server.ssl_context else ''}\n")
    sys.stderr.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    await stop.wait()
    await server.close()
    return 0
