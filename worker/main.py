"""`python -m worker --container NAME`: the engine process of one container.

It reads its spec (with the control channel's token) from standard input, opens the PDB's
database, listens on its socket, confines itself, says READY on standard output, then serves:
the proxy's link, and the client sessions the proxy hands it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading

from engine.errors import to_db_error
from pgwire.control import EngineSpec
from worker.confine import confine
from worker.engine import Worker

log = logging.getLogger("duckcdb.worker")


def _listen(path: str) -> socket.socket:
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        srv.bind(path)
    finally:
        os.umask(old)
    srv.listen(64)
    return srv


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m worker")
    parser.add_argument("--container", required=True, help="the container's name (for ps; the spec says all)")
    parser.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    spec = EngineSpec.from_json(sys.stdin.readline())
    try:
        worker = Worker(spec)
        srv = _listen(spec.socket_path)
    except Exception as e:  # noqa: BLE001 - the supervisor reports why the PDB could not open
        err = to_db_error(e)
        sys.stdout.write("FAILED " + json.dumps(err.to_json()) + "\n")
        sys.stdout.flush()
        sys.exit(3)
    abi = confine(spec.allowed_dir)
    if not abi:
        log.info("engine of %s: Landlock is not available; DuckDB's sandbox is the wall", spec.name)
    signal.signal(
        signal.SIGTERM, lambda *_: worker.shutdown("terminating connection due to administrator command")
    )
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the proxy's to handle
    threading.Thread(target=worker.stats_loop, name="stats", daemon=True).start()
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=worker.accept, args=(conn,), daemon=True).start()
