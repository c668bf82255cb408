"""Faults injected on purpose, for the tests that prove that a failing statement never ends its
session: with DUCKCDB_FAULTS=1 in the server's environment, a statement whose text holds
/*fault:LAYER*/ raises in that layer (split, rewrite, policy, engine, encoder, command).
Off, a check costs one test of a constant."""

from __future__ import annotations

import os
import time

ENABLED = os.environ.get("DUCKCDB_FAULTS") == "1"


def inject(layer: str, text: str) -> None:
    if ENABLED and f"/*fault:{layer}*/" in text:
        raise RuntimeError(f"fault injected in the {layer}")


def slow(text: str) -> None:
    """/*fault:slow*/ makes a statement take SLOW_S longer (the SLA's response-time tests)."""
    if ENABLED and "/*fault:slow*/" in text:
        time.sleep(SLOW_S)


SLOW_S = 0.6
