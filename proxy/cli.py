"""`duckcdb` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from conf import VERSION, load_config


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="duckcdb", description="DuckCDB: a multi-tenant PostgreSQL-wire server on DuckDB"
    )
    p.add_argument("--version", action="version", version=f"duckcdb {VERSION}")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="initialize the data directory if needed and serve")
    s.add_argument("--data-dir", help="data directory (default from conf/duckcdb.toml: ./data)")
    s.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, help="port to listen on (default 55432)")
    s.add_argument("--config", help="a TOML file whose settings override conf/duckcdb.toml")
    s.add_argument(
        "--tls-self-signed",
        action="store_true",
        default=None,
        help="generate and use a self-signed certificate",
    )
    s.add_argument(
        "--auth", choices=["scram-sha-256", "md5", "password"], help="password authentication method"
    )
    s.add_argument("--log-level", default="INFO")
    return p


async def _serve(args: argparse.Namespace) -> None:
    from proxy.server import DataDirInUse, Server

    config = load_config(
        args.config,
        {
            "server": {"data_dir": args.data_dir, "host": args.host, "port": args.port},
            "tls": {"generate_self_signed": args.tls_self_signed},
            "auth": {"method": args.auth},
        },
    )
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    except ImportError:
        pass
    server = Server(config)
    try:
        await server.start()
    except DataDirInUse as e:
        print(f"duckcdb: {e}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    if server.generated_password:
        print(
            f"SYS password (generated, also in {config.data_dir / 'sys_password'}): {server.generated_password}",
            flush=True,
        )
    host = config.get("server", "host")
    if server.http is not None:
        print(f"HTTP API on {server.http.url} (docs: {server.http.url}/docs)", flush=True)
    print(f"DuckCDB {VERSION} listening on {host}:{server.port}, data in {config.data_dir}", flush=True)
    print(f'Connect: psql "host={host} port={server.port} dbname=CDB\\$ROOT user=SYS"', flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop()


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command == "serve":
        try:
            import uvloop

            uvloop.run(_serve(args))
        except ImportError:
            asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
