"""PostgreSQL constructs DuckDB cannot parse, rewritten for the catalog queries clients send
(regclass casts, OPERATOR(pg_catalog.~), COLLATE pg_catalog.default, ...).

Each rewrite has the signature of policies.rewrite: (text, tokens, base) -> [(start, end, replacement)].
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlglot.tokens import Token

Edit = tuple[int, int, str]

REWRITES: list[Callable[[str, Sequence[Token], int], list[Edit]]] = []
