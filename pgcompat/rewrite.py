"""PostgreSQL-to-DuckDB rewrites of statement text: small named functions, one concern each.

Each rewrite looks at a statement's tokens and returns edits (start, end, replacement) in
statement-relative offsets; `rewrite` applies them. Statements without anything to rewrite
go to DuckDB exactly as the client wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from pgcompat import (
    alter,
    arrays,
    catalog_rewrites,
    char_casts,
    constraint_names,
    datetime_literals,
    foreign_keys,
    functions,
    grouping,
    inserts,
    int_casts,
    jsonb,
    lengths,
    lexer,
    locking,
    numeric,
    outer_rows,
    param_types,
    pg_builtins,
    pg_dates,
    pg_inputs,
    pg_operators,
    pg_refusals,
    result_types,
    rows,
    sequences,
    similar,
    srf,
    subquery_names,
    text_casts,
    values_columns,
)
from pgcompat.client_catalog import ASYNCPG_PARAM_OIDS, asyncpg_type_introspection
from pgcompat.tokens import apply, tokenize
from pgwire import faults

Edit = tuple[int, int, str]
_HEX = re.compile(r"^\\x([0-9A-Fa-f\s]*)$")  # (PostgreSQL allows blanks between the bytes)
_ODD_HEX = "CAST(error('invalid hexadecimal data: odd number of digits') AS BLOB)"


def _is_bytea(t: Token) -> bool:
    return t.token_type == TokenType.VARBINARY and t.text.upper() == "BYTEA"


def bytea_hex_literals(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """'\\x0102'::bytea is two bytes in PostgreSQL; DuckDB would read the characters '\\x01', '0', '2'.
    An odd number of digits is PostgreSQL's 22023 (DuckDB would read '\\x4' as one byte)."""
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        if t.token_type != TokenType.STRING or text[t.start - base] != "'":
            continue
        m = _HEX.match(t.text)
        if m is None:
            continue
        nxt = toks[i + 1 : i + 3]
        prev = toks[i - 1] if i > 0 else None
        cast_follows = len(nxt) == 2 and (
            (nxt[0].token_type == TokenType.DCOLON and _is_bytea(nxt[1]))
            or (nxt[0].token_type == TokenType.ALIAS and _is_bytea(nxt[1]))
        )
        typed_literal = prev is not None and _is_bytea(prev)
        if cast_follows or typed_literal:
            digits = "".join(m.group(1).split())
            hexed = f"from_hex('{digits}')" if len(digits) % 2 == 0 else _ODD_HEX
            edits.append((t.start - base, t.end - base + 1, hexed))
            if typed_literal:
                edits.append((prev.start - base, prev.end - base + 1, ""))
    return edits


def sys_context_userenv(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """SYS_CONTEXT('USERENV', 'CON_NAME') reads the session's USERENV, which the engine keeps in
    DuckDB variables (userenv_con_name, ...)."""
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        if t.text.upper() != "SYS_CONTEXT" or i + 5 >= len(toks):
            continue
        lp, ns, comma, key, rp = toks[i + 1 : i + 6]
        if (
            lp.token_type == TokenType.L_PAREN
            and ns.token_type == TokenType.STRING
            and ns.text.upper() == "USERENV"
            and comma.token_type == TokenType.COMMA
            and key.token_type == TokenType.STRING
            and rp.token_type == TokenType.R_PAREN
        ):
            var = "userenv_" + re.sub(r"[^a-z0-9_]", "", key.text.lower())
            edits.append((t.start - base, rp.end - base + 1, f"getvariable('{var}')"))
    return edits


# PostgreSQL functions DuckDB has under another name (same arguments, same result).
_RENAMED_FUNCTIONS = {
    "pg_current_xact_id": "txid_current",  # the transaction's id, the same until it ends
    "json_agg": "json_group_array",  # the values as a JSON array, NULLs as null
}


def renamed_functions(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    edits: list[Edit] = []
    for t, nxt in zip(toks, toks[1:], strict=False):
        new = _RENAMED_FUNCTIONS.get(t.text.lower())
        if new and nxt.token_type == TokenType.L_PAREN and text[t.start - base] not in "'\"":
            edits.append((t.start - base, t.end - base + 1, new))
    return edits


def pg_expandarray(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """information_schema._pg_expandarray(a): PostgreSQL's set-returning (x, n) pairs of an array,
    which pgjdbc's getPrimaryKeys/getIndexInfo read; DuckDB unnests a list of structs the same way
    (two calls in one SELECT list run in step, as in PostgreSQL)."""
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        if (
            t.text.lower() != "_pg_expandarray"
            or i + 1 >= len(toks)
            or toks[i + 1].token_type != TokenType.L_PAREN
        ):
            continue
        start = toks[i - 2].start if i >= 2 and toks[i - 1].token_type == TokenType.DOT else t.start
        depth, j = 0, i + 1
        for j in range(i + 1, len(toks)):
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(toks[j].token_type, 0)
            if depth == 0:
                break
        arg = text[toks[i + 1].end - base + 1 : toks[j].start - base]
        edits.append(
            (
                start - base,
                toks[j].end - base + 1,
                f"unnest(list_transform({arg}, lambda __x, __i: {{'x': __x, 'n': __i}}))",
            )
        )
    return edits


# Catalog names DuckDB itself knows: never the PDB's own name written by a client.
BUILTIN_CATALOGS = frozenset({"data", "temp", "system", "memory", "pg_catalog", "information_schema"})


def _name_token(t: Token) -> bool:
    return t.token_type in (TokenType.VAR, TokenType.IDENTIFIER) or bool(re.match(r"^\w+$", t.text))


def _catalog_at(toks: Sequence[Token], i: int) -> bool:
    """Whether toks[i] starts a name of three (or more) dotted parts: catalog.schema.object."""
    return (
        i + 4 < len(toks)
        and (i == 0 or toks[i - 1].token_type != TokenType.DOT)
        and toks[i + 1].token_type == TokenType.DOT
        and toks[i + 3].token_type == TokenType.DOT
        and all(_name_token(toks[k]) for k in (i, i + 2, i + 4))
    )


def _table_catalogs(text: str) -> frozenset[str]:
    """The catalogs (lower-case) that qualify a table in the statement, as sqlglot reads it."""
    for dialect in ("postgres", "duckdb"):
        try:
            tree = lexer.parse_one(text, dialect)
        except Exception:  # sqlglot's errors: this dialect does not read it
            continue
        if tree is not None:
            return frozenset(str(t.catalog).lower() for t in tree.find_all(exp.Table) if t.catalog)
    return frozenset()


def current_catalog(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """ "pdb"."public"."t": PostgreSQL accepts the current database as the catalog part of a name
    (dbt qualifies every relation so). DuckDB knows the PDB's database by another name, so the
    catalog goes. Only the PDB's own name gets this far: the sandbox refuses any other catalog on
    the statement as the client wrote it (policies.sandbox)."""
    starts = [i for i in range(len(toks)) if _catalog_at(toks, i)]
    starts = [i for i in starts if toks[i].text.lower() not in BUILTIN_CATALOGS]
    if not starts:
        return []
    catalogs = _table_catalogs(text)
    return [
        (toks[i].start - base, toks[i + 1].end - base + 1, "")
        for i in starts
        if toks[i].text.lower() in catalogs
    ]


def public_schema(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """public.t means DuckDB's main.t: clients see the default schema as public (pdb.public.t
    too: rewrite() has removed its catalog first, see current_catalog)."""
    edits: list[Edit] = []
    for i, t in enumerate(toks[:-2]):
        if (
            t.text.lower() == "public"
            and text[t.start - base] not in "'\""
            and toks[i + 1].token_type == TokenType.DOT
            and (i == 0 or toks[i - 1].token_type != TokenType.DOT)
        ):
            edits.append((t.start - base, t.end - base + 1, "main"))
    return edits


_SERIAL = {
    "SERIAL": "INTEGER",
    "SERIAL4": "INTEGER",
    "BIGSERIAL": "BIGINT",
    "SERIAL8": "BIGINT",
    "SMALLSERIAL": "SMALLINT",
    "SERIAL2": "SMALLINT",
}


def serial_columns(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """CREATE TABLE t (id SERIAL): an integer whose default comes from a sequence t_id_seq, as in
    PostgreSQL (the sequence is created by a statement run just before, see serial_sequences)."""
    table = _created_table(toks)
    if table is None:
        return []
    edits: list[Edit] = []
    for i, t in enumerate(toks[1:], start=1):
        kind = _SERIAL.get(t.text.upper())
        if (
            kind
            and toks[i - 1].token_type in (TokenType.VAR, TokenType.IDENTIFIER)
            and text[t.start - base] not in "'\""
        ):
            col = toks[i - 1].text.strip('"')
            edits.append((t.start - base, t.end - base + 1, f"{kind} DEFAULT nextval('{table}_{col}_seq')"))
    return edits


def _created_table(toks: Sequence[Token]) -> str | None:
    words = [t.text.upper() for t in toks[:8]]
    if not words or words[0] != "CREATE" or "TABLE" not in words:
        return None
    i = words.index("TABLE") + 1
    while i < len(toks) and toks[i].text.upper() in ("IF", "NOT", "EXISTS"):
        i += 1
    if i >= len(toks):
        return None
    name = toks[i].text.strip('"')
    if i + 2 < len(toks) and toks[i + 1].token_type == TokenType.DOT:
        name = toks[i + 2].text.strip('"')
    return name


def serial_sequences(text: str, toks: Sequence[Token]) -> list[str]:
    """The sequences SERIAL columns of a CREATE TABLE need, created first."""
    table = _created_table(toks)
    if table is None:
        return []
    out = []
    for i, t in enumerate(toks[1:], start=1):
        if t.text.upper() in _SERIAL and toks[i - 1].token_type in (TokenType.VAR, TokenType.IDENTIFIER):
            out.append(f'CREATE SEQUENCE IF NOT EXISTS "{table}_{toks[i - 1].text.strip(chr(34))}_seq"')
    return out


def _identity_at(toks: Sequence[Token], i: int) -> tuple[bool, int, int] | None:
    """GENERATED {BY DEFAULT | ALWAYS} AS IDENTITY [( options )] at toks[i]: (always, index of
    the options' "(" or -1, index of the clause's last token), else None."""
    words = [t.text.upper() for t in toks[i : i + 6]]
    if words[:1] != ["GENERATED"]:
        return None
    if words[1:5] == ["BY", "DEFAULT", "AS", "IDENTITY"]:
        always, last = False, i + 4
    elif words[1:4] == ["ALWAYS", "AS", "IDENTITY"]:
        always, last = True, i + 3
    else:
        return None
    if last + 1 < len(toks) and toks[last + 1].token_type == TokenType.L_PAREN:
        depth = 0
        for j in range(last + 1, len(toks)):
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(toks[j].token_type, 0)
            if depth == 0:
                return always, last + 1, j
    return always, -1, last


def _column_of(toks: Sequence[Token], i: int) -> str | None:
    """The column whose definition toks[i] stands in (the first name after the table's "(" or
    a top-level comma)."""
    depth = 0
    for j in range(i - 1, -1, -1):
        tt = toks[j].token_type
        if tt == TokenType.R_PAREN:
            depth += 1
        elif tt == TokenType.L_PAREN:
            if depth == 0:
                return toks[j + 1].text.strip('"')
            depth -= 1
        elif tt == TokenType.COMMA and depth == 0:
            return toks[j + 1].text.strip('"')
    return None


def identity_columns(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY): PostgreSQL's identity column
    is a default from an owned sequence t_id_seq, created by a statement run just before (see
    identity_sequences). GENERATED ALWAYS is refused (identity_refusal): DuckDB could not refuse
    the explicit values PostgreSQL does."""
    table = _created_table(toks)
    if table is None:
        return []
    edits: list[Edit] = []
    for i in range(len(toks)):
        found = _identity_at(toks, i)
        col = _column_of(toks, i) if found else None
        if found is None or found[0] or col is None:
            continue
        edits.append(
            (toks[i].start - base, toks[found[2]].end - base + 1, f"DEFAULT nextval('{table}_{col}_seq')")
        )
    return edits


# Sequence options DuckDB's CREATE SEQUENCE lacks and that change no value it hands out.
_NO_SEQUENCE_OPTION = re.compile(r"\bCACHE\s+\d+", re.I)


def sequence_cache(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """CREATE / ALTER SEQUENCE ... CACHE n (pg_dump writes CACHE 1): how many values a PostgreSQL
    backend takes at a time (gaps only, never a value); DuckDB's CREATE SEQUENCE has no such option."""
    words = [t.text.upper() for t in toks[:3]]
    if words[:1] not in (["CREATE"], ["ALTER"]) or "SEQUENCE" not in words:
        return []
    return [
        (t.start - base, toks[i + 1].end - base + 1, "")
        for i, t in enumerate(toks[:-1])
        if t.text.upper() == "CACHE" and toks[i + 1].token_type == TokenType.NUMBER
    ]


def alter_table_only(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """ALTER TABLE [IF EXISTS] ONLY t (pg_dump's): ONLY leaves out inheriting tables, and DuckDB
    has none."""
    w = [t.text.upper() for t in toks[:5]]
    if w[:2] != ["ALTER", "TABLE"]:
        return []
    k = 4 if w[2:4] == ["IF", "EXISTS"] else 2
    if len(w) > k and w[k] == "ONLY" and text[toks[k].start - base] != '"':
        return [(toks[k].start - base, toks[k + 1].start - base, "")]
    return []


def sequence_owned_by(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """ALTER SEQUENCE s OWNED BY [schema.]table.column (pg_dump's, for a serial): DuckDB ties a
    sequence to a table, not a column: the column goes (dropping the table drops the sequence in
    both)."""
    words = [t.text.upper() for t in toks[:2]]
    if words != ["ALTER", "SEQUENCE"]:
        return []
    for i, t in enumerate(toks[:-2]):
        if t.text.upper() == "OWNED" and toks[i + 1].text.upper() == "BY":
            names = toks[i + 2 :]
            dots = [k for k, n in enumerate(names) if n.token_type == TokenType.DOT]
            if len(dots) >= 1 and len(names) == 2 * len(dots) + 1:
                last_dot = names[dots[-1]]
                return [(last_dot.start - base, names[-1].end - base + 1, "")]
    return []


def identity_sequences(text: str, toks: Sequence[Token]) -> list[str]:
    """The sequences identity columns of a CREATE TABLE need, created first, with the column's
    sequence options (START WITH, INCREMENT BY, MINVALUE, MAXVALUE, CYCLE)."""
    table = _created_table(toks)
    if table is None:
        return []
    base = toks[0].start
    out = []
    for i in range(len(toks)):
        found = _identity_at(toks, i)
        col = _column_of(toks, i) if found else None
        if found is None or found[0] or col is None:
            continue
        options = ""
        if found[1] >= 0:
            inner = text[toks[found[1]].end - base + 1 : toks[found[2]].start - base]
            options = " " + _NO_SEQUENCE_OPTION.sub("", inner).strip()
        out.append(f'CREATE SEQUENCE IF NOT EXISTS "{table}_{col}_seq"{options.rstrip()}')
    return out


def identity_refusal(toks: Sequence[Token]) -> tuple[str, str] | None:
    """GENERATED ALWAYS AS IDENTITY: PostgreSQL refuses an explicit value for the column (unless
    OVERRIDING SYSTEM VALUE); a sequence default would take it quietly, so it is refused here."""
    for i in range(len(toks)):
        found = _identity_at(toks, i)
        if found is not None and found[0]:
            return (
                "0A000",
                "GENERATED ALWAYS AS IDENTITY is not supported: DuckCDB cannot refuse explicit values "
                "for the column as PostgreSQL does; use GENERATED BY DEFAULT AS IDENTITY",
            )
    return None


_OPCLASS = re.compile(r"^[a-z0-9_]+_ops$", re.I)


def index_methods(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """CREATE INDEX ... USING btree (a varchar_pattern_ops): PostgreSQL's access method and
    operator classes choose how the index is stored and which operators it serves, never what a
    query returns. DuckDB has one kind of index (ART), for btree's and hash's purposes: the
    method and the classes go. Other methods (gin, gist, ...) stay, and DuckDB refuses them."""
    words = [t.text.upper() for t in toks[:4]]
    if words[:1] != ["CREATE"] or "INDEX" not in words:
        return []
    edits: list[Edit] = []
    depth = 0
    for i, t in enumerate(toks):
        tt = t.token_type
        if tt == TokenType.L_PAREN:
            depth += 1
        elif tt == TokenType.R_PAREN:
            depth -= 1
        elif (
            depth == 0
            and t.text.upper() == "USING"
            and i + 1 < len(toks)
            and toks[i + 1].text.lower() in ("btree", "hash")
        ):
            edits.append((t.start - base, toks[i + 1].end - base + 1, ""))
        elif (
            depth == 1
            and _OPCLASS.match(t.text)
            and text[t.start - base] != "'"
            and i + 1 < len(toks)
            and (
                toks[i + 1].token_type in (TokenType.COMMA, TokenType.R_PAREN)
                or toks[i + 1].text.upper() in ("ASC", "DESC", "NULLS")
            )
            and toks[i - 1].token_type not in (TokenType.COMMA, TokenType.L_PAREN)
        ):
            edits.append((toks[i - 1].end - base + 1, t.end - base + 1, ""))
    return edits


def _call_args(toks: Sequence[Token], open_: int) -> tuple[list[tuple[int, int]], int] | None:
    """The top-level arguments (first, last token) of the call whose "(" is toks[open_], and the
    index of its ")"."""
    depth, args, first = 0, [], open_ + 1
    for j in range(open_, len(toks)):
        tt = toks[j].token_type
        if tt in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif tt in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth -= 1
            if depth == 0:
                if j > first:
                    args.append((first, j - 1))
                return args, j
        elif tt == TokenType.COMMA and depth == 1:
            args.append((first, j - 1))
            first = j + 1
    return None


# Catalog vectors the shim keeps as text ('0 0'), and how unnest() takes them as a list.
_TEXT_VECTORS = frozenset({"indoption"})
_TEXT_VECTOR = "CAST(string_split(CAST({} AS VARCHAR), ' ') AS SMALLINT[])"


def multi_argument_unnest(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """FROM unnest(a, b, ...) [WITH ORDINALITY]: PostgreSQL's arrays side by side, the shorter ones
    padded with NULLs (and a row number): DuckDB's unnest of several lists in one SELECT list
    does the same (Django's bulk_create and inspectdb)."""
    edits: list[Edit] = []
    for i, t in enumerate(toks[1:-1], start=1):
        if (
            t.text.lower() != "unnest"
            or toks[i + 1].token_type != TokenType.L_PAREN
            or toks[i - 1].token_type not in (TokenType.FROM, TokenType.JOIN, TokenType.COMMA)
        ):
            continue
        found = _call_args(toks, i + 1)
        if found is None or len(found[0]) < 2:
            continue
        # Only the call's own tokens change: rewrites inside the arguments (array literals) apply.
        args = [text[toks[a].start - base : toks[b].end - base + 1] for a, b in found[0]]
        # pg_index.indoption is the shim's space-separated text (as SQLAlchemy reads it): a list here
        vectors = [
            toks[b].text.lower() in _TEXT_VECTORS and toks[b].token_type == TokenType.VAR for _, b in found[0]
        ]
        args = [_TEXT_VECTOR.format(a) if v else a for a, v in zip(args, vectors, strict=True)]
        edits.append((t.start - base, toks[i + 1].end - base + 1, "(SELECT unnest("))
        for (first, last), v in zip(found[0], vectors, strict=True):
            if v:
                edits.append(
                    (toks[first].start - base, toks[first].start - base, _TEXT_VECTOR.split("{}")[0])
                )
                edits.append(
                    (toks[last].end - base + 1, toks[last].end - base + 1, _TEXT_VECTOR.split("{}")[1])
                )
        for _, last in found[0][:-1]:
            edits.append((toks[last + 1].start - base, toks[last + 1].end - base + 1, "), unnest("))
        end, tail = found[1], "))"
        if [x.text.upper() for x in toks[end + 1 : end + 3]] == ["WITH", "ORDINALITY"]:
            longest = ", ".join(f"coalesce(len({a}), 0)" for a in args)
            tail = f"), unnest(range(1, greatest({longest}) + 1)))"
            end += 2
        edits.append((toks[found[1]].start - base, toks[end].end - base + 1, tail))
    return edits


def jsonb_type(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """jsonb, as a column's type (or jsonb[]): DuckDB's JSON (the same text, the same -> and ->>).
    Casts to jsonb print as PostgreSQL does (pgcompat.jsonb.jsonb_casts). What differs is said in
    the README: a column keeps a literal written into it as written. That the column is jsonb is
    its CHECK's to say (pgcompat.lengths.jsonb_check)."""
    ddl = bool(toks) and toks[0].text.upper() in ("CREATE", "ALTER")
    edits: list[Edit] = []
    for i, t in enumerate(toks):
        if t.text.lower() != "jsonb" or text[t.start - base] in "'\"":
            continue
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if nxt is not None and nxt.token_type in (TokenType.L_PAREN, TokenType.DOT):
            continue
        first = t
        if prev is not None and prev.token_type == TokenType.DOT:
            if not (i >= 2 and toks[i - 2].text.lower() == "pg_catalog"):
                continue
            prev = toks[i - 3] if i >= 3 else None  # pg_catalog.jsonb: the type's (pg_catalog. goes)
            first = toks[i - 2]
        cast = prev is not None and prev.token_type in (TokenType.DCOLON, TokenType.ALIAS)
        column = (
            ddl
            and prev is not None
            and prev.token_type in (TokenType.VAR, TokenType.IDENTIFIER, TokenType.TYPE)
        )
        if (
            cast
            and not (ddl and not jsonb.defines_by_query(toks))
            and not (nxt is not None and nxt.token_type == TokenType.L_BRACKET)
        ):
            continue  # pgcompat.jsonb.jsonb_casts
        if cast or column:
            edits.append((first.start - base, t.end - base + 1, "JSON"))
    return edits


def advisory_unlock_all(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """pg_advisory_unlock_all(), sent by connection pools on every release: DuckCDB has no
    advisory locks, so none are held and there is nothing to unlock (a no-op returning NULL)."""
    edits: list[Edit] = []
    for i, t in enumerate(toks[:-2]):
        if (
            t.text.lower() == "pg_advisory_unlock_all"
            and toks[i + 1].token_type == TokenType.L_PAREN
            and toks[i + 2].token_type == TokenType.R_PAREN
        ):
            start = toks[i - 2].start if i >= 2 and toks[i - 1].text == "." else t.start
            edits.append((start - base, toks[i + 2].end - base + 1, "CAST(NULL AS VARCHAR)"))
    return edits


def ddl_storage_parameters(text: str, toks: Sequence[Token], base: int) -> list[Edit]:
    """CREATE TABLE ... WITH (fillfactor = 100): PostgreSQL storage parameters, meaningless to DuckDB."""
    if not toks or toks[0].text.upper() != "CREATE":
        return []
    words = [t.text.upper() for t in toks[:6]]
    if "TABLE" not in words:
        return []
    depth = 0
    for i, t in enumerate(toks):
        if t.token_type == TokenType.L_PAREN:
            depth += 1
        elif t.token_type == TokenType.R_PAREN:
            depth -= 1
        elif (
            depth == 0
            and t.text.upper() == "WITH"
            and i + 1 < len(toks)
            and toks[i + 1].token_type == TokenType.L_PAREN
        ):
            close, d = i + 1, 0
            for j in range(i + 1, len(toks)):
                d += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(toks[j].token_type, 0)
                if d == 0:
                    close = j
                    break
            return [(t.start - base, toks[close].end - base + 1, "")]
    return []


ddl_storage_parameters.notice = (
    "storage parameters (WITH (...)) are accepted and ignored: DuckDB manages its own storage"  # type: ignore[attr-defined]
)

_DROP_MULTI = re.compile(
    r"^\s*DROP\s+(TABLE|VIEW|SEQUENCE|INDEX|SCHEMA|MACRO|FUNCTION|TYPE)\s+(IF\s+EXISTS\s+)?(.+?)(\s+(CASCADE|RESTRICT))?\s*$",
    re.I | re.S,
)


_TRUNCATE_MULTI = re.compile(
    r"^\s*TRUNCATE\s+(TABLE\s+)?(ONLY\s+)?([^()']+?)(\s+(CONTINUE|RESTART)\s+IDENTITY)?(\s+(CASCADE|RESTRICT))?\s*$",
    re.I | re.S,
)


def split_multi_object_drop(sql: str) -> list[str] | None:
    """DROP TABLE a, b, c and TRUNCATE a, b: DuckDB takes one object per statement, so one
    statement per object."""
    t = _TRUNCATE_MULTI.match(sql)
    if t is not None:
        names = [n.strip() for n in t.group(3).split(",")]
        return [f"TRUNCATE TABLE {n}" for n in names] if len(names) > 1 else None
    m = _DROP_MULTI.match(sql)
    if m is None or "," not in m.group(3) or "(" in m.group(3) or "'" in m.group(3):
        return None
    kind, if_exists, names, tail = m.group(1), m.group(2) or "", m.group(3), m.group(4) or ""
    return [f"DROP {kind.upper()} {if_exists}{n.strip()}{tail}" for n in names.split(",")]


REWRITES: list[Callable[[str, Sequence[Token], int], list[Edit]]] = [
    bytea_hex_literals,
    *pg_operators.REWRITES,
    *int_casts.REWRITES,
    sys_context_userenv,
    ddl_storage_parameters,
    advisory_unlock_all,
    public_schema,
    pg_expandarray,
    multi_argument_unnest,
    sequence_cache,
    alter_table_only,
    sequence_owned_by,
    jsonb_type,
    jsonb.jsonb_casts,
    jsonb.jsonb_functions,
    jsonb.jsonb_operators,
    serial_columns,
    identity_columns,
    index_methods,
    *alter.REWRITES,
    numeric.unconstrained_numeric,
    param_types.literal_operand_parameters,
    numeric.long_numeric_literals,
    numeric.integer_negation,
    numeric.float_literals,
    similar.similar_to,
    *srf.REWRITES,
    *char_casts.REWRITES,
    *datetime_literals.REWRITES,
    *pg_inputs.REWRITES,
    pg_refusals.union_integer_literals,
    pg_refusals.arithmetic_integer_literals,
    *pg_dates.REWRITES,
    *text_casts.REWRITES,
    *rows.REWRITES,
    *arrays.REWRITES,
    *outer_rows.REWRITES,
    *values_columns.REWRITES,
    *lengths.REWRITES,
    renamed_functions,
    locking.locking_clauses,
    *catalog_rewrites.REWRITES,
]


_PREPARE_AS = re.compile(r"^(\s*PREPARE\s+(?:\"(?:[^\"]|\"\")+\"|\w+)\s+AS\s+)(.*)$", re.I | re.S)


def _prepared_body(text: str, toks: Sequence[Token]) -> Rewritten | None:
    """PREPARE p AS <statement>: the statement rewritten as any other is (its numbers exact, its
    floats checked, its text as PostgreSQL writes it), so that EXECUTE p answers as the statement
    would. A body that needs the engine to plan it when it runs (ALTER TABLE, GROUP BY a primary
    key, INSERT of fewer values) is prepared as written."""
    if toks[0].text.upper() != "PREPARE":
        return None
    m = _PREPARE_AS.match(text)
    body_toks = tokenize(m.group(2)) if m is not None else None
    if m is None or not body_toks:
        return None
    inner = rewrite(m.group(2), body_toks)
    if inner.refusal is not None:
        return Rewritten(text, checked=text, refusal=inner.refusal)
    if inner.alter is not None or inner.grouping is not None or inner.positional is not None:
        return Rewritten(text, checked=text)
    return Rewritten(m.group(1) + inner.sql, pre=inner.pre, notices=inner.notices, checked=text)


@dataclass(frozen=True)
class Rewritten:
    sql: str
    param_oids: tuple[int, ...] = ()
    pre: tuple[str, ...] = ()  # statements run first, in the same transaction
    notices: tuple[str, ...] = ()
    checked: str = ""  # the statement the sandbox analyses: the client's, PostgreSQL functions translated
    refusal: tuple[str, str] | None = None  # (SQLSTATE, message): what DuckCDB cannot do faithfully
    alter: dict[str, object] | None = None  # an ALTER TABLE the engine plans when it runs (engine.alter)
    grouping: dict[str, object] | None = None  # GROUP BY a primary key (pgcompat.grouping)
    positional: dict[str, object] | None = None  # INSERT INTO t VALUES without columns (pgcompat.inserts)
    # the statement without jsonb's dispatch, where only a JSON column could make an operand
    # jsonb: what the engine runs while its PDB has none (engine.session, jsonb.LAZY)
    plain: str | None = None


def rewrite(text: str, toks: Sequence[Token]) -> Rewritten:
    """The statement as DuckDB should run it.

    PostgreSQL functions are translated first (pgcompat.functions): that text is what the
    sandbox analyses (`checked`). The rewrites above, the catalog shim's among them, then work
    on it; what they add is ours and trusted.
    """
    faults.inject("rewrite", text)
    if not toks:
        return Rewritten(text, checked=text)
    prepared = _prepared_body(text, toks)
    if prepared is not None:
        return prepared
    whole = asyncpg_type_introspection(text)
    if whole is not None:
        return Rewritten(whole, ASYNCPG_PARAM_OIDS, checked=text)
    client_text, client_toks = text, toks
    named = subquery_names.subquery_column_names(text, toks)  # (on the client's own text, first)
    if named:
        retokenized = tokenize(apply(text, named))
        if retokenized:
            text, toks = apply(text, named), retokenized
    scalar_rows = jsonb.scalar_function_rows(text, toks)  # to_json(t) of generate_series(...) t(x)
    if scalar_rows:
        retokenized = tokenize(apply(text, scalar_rows))
        if retokenized:
            text, toks = apply(text, scalar_rows), retokenized
    typed_operators = jsonb.candidates(toks)  # the client's ||, - or @> (not a translation's)
    translated = functions.translate(text, toks)
    if translated != text:
        retokenized = tokenize(translated)
        if retokenized:
            text, toks = translated, retokenized
    checked = text
    if toks[0].text.upper() in ("CREATE", "ALTER"):
        lists = foreign_keys.set_column_lists(text, toks, toks[0].start)
        checked = apply(text, lists) if lists else text
    state = sequences.sequence_state(text)
    if state is not None:
        return Rewritten(state, checked=checked)
    # pdb.schema.t is schema.t before any other rewrite reads it (information_schema.columns and
    # public.t are theirs to recognise).
    stripped = current_catalog(text, toks, toks[0].start)
    if stripped:
        retokenized = tokenize(apply(text, stripped))
        if retokenized:
            text, toks = apply(text, stripped), retokenized
    base = toks[0].start
    edits: list[Edit] = []
    notices: list[str] = []
    catalog = False
    for rw in REWRITES:
        found = rw(text, toks, base)
        if found:
            edits += found
            catalog = catalog or rw in catalog_rewrites.REWRITES
            if getattr(rw, "notice", None):
                notices.append(rw.notice)  # type: ignore[attr-defined]
    if not catalog:
        edits += pg_builtins.macro_calls(text, toks, base, edits)
        edits += text_casts.output_texts(text, toks, base, edits)
    sql = apply(text, edits) if edits else text
    if pg_refusals.names_an_alias_in_where(toks):  # (on the rewritten text: other rewrites wrap names)
        final = tokenize(sql)
        qualified = pg_refusals.where_alias_references(sql, final, 0) if final else None
        sql = apply(sql, qualified) if qualified else sql
    if rows.assigns_row_subquery(toks):  # (on the rewritten text: the subquery is written per column)
        final = tokenize(sql)
        assigned = rows.row_subquery_assignments(sql, final) if final else None
        sql = apply(sql, assigned) if assigned else sql
    # ||, - and @> by their operands' types (not in the catalog emulation's queries; a text[]
    # literal the shim turned into a list is no catalog query)
    plain = None
    if typed_operators and not (catalog and jsonb.reads_catalog(toks)):
        before = sql
        sql = jsonb.dispatch(sql, None if edits else toks)
        if sql != before and "json" not in before.lower() and toks[0].text.upper() not in ("CREATE", "ALTER"):
            # (the lazy dispatch: its macros are DuckDB's own operators then; no operand is json)
            plain = text_casts.concat_texts(before)
    if not catalog and result_types.applies(toks):  # (the catalog emulation's SQL is left as it is)
        sql = result_types.typed_sql(sql, None if sql != text else toks)
        if plain is not None:
            plain = result_types.typed_sql(plain, None if plain != text else toks)
    parts = split_multi_object_drop(sql)
    if parts is not None:
        return Rewritten(parts[-1], (), tuple(parts[:-1]), tuple(notices), checked)
    pre = (
        *serial_sequences(text, toks),
        *identity_sequences(text, toks),
        *numeric.literal_checks(text, toks),
        *int_casts.written_text_checks(text, toks),
    )
    refusal = (
        identity_refusal(toks)
        or srf.misplaced(client_text, client_toks)
        or datetime_literals.column_precision_refusal(text, toks)
        or datetime_literals.compared_literal_refusal(text, toks)
        or arrays.array_refusal(client_text, client_toks)
        or pg_refusals.refusal(client_text, client_toks)
        or jsonb.argument_refusal(client_text, client_toks)
        or rows.unequal_rows(client_text, client_toks)
    )
    planned = None
    if toks[0].text.upper() in ("CREATE", "ALTER"):
        final = tokenize(sql) if sql != text else list(toks)
        fks, stripped_fk = None, sql
        try:
            stripped_fk, fks = foreign_keys.extract(sql, final) if final else (sql, None)
        except foreign_keys.Unsupported as e:
            refusal = refusal or (str(e.args[0]), str(e.args[1]))
        if stripped_fk != sql:  # (a temporary table's keep DuckDB's REFERENCES, without DEFERRABLE)
            sql, final = stripped_fk, tokenize(stripped_fk)
        if toks[0].text.upper() == "ALTER":
            named_jsonb = any(t.text.lower() == "jsonb" for t in toks)  # (jsonb_type made it JSON)
            planned = alter.plan_of(sql, final, named_jsonb) if final else None
        if fks is not None:
            planned = {**(planned or {}), **fks}
        named = constraint_names.extract(sql, final) if final else None
        if named is not None:  # (after the foreign keys' clauses went: the text DuckDB runs)
            planned = {**(planned or {}), **named}
    grouped = None
    if any(t.token_type == TokenType.GROUP_BY for t in toks):
        final = tokenize(sql) if sql != text else list(toks)
        grouped = grouping.alternative(sql, final) if final else None
    positional = None
    if toks[0].token_type in (TokenType.INSERT, TokenType.UPDATE):
        final = tokenize(sql) if sql != text else list(toks)
        if final and toks[0].token_type == TokenType.INSERT:
            positional = inserts.positional_insert(sql, final)
        writes = numeric.expression_writes(sql, final) if final else None
        if writes is not None:  # computed values into numeric columns: engine.pgmath.exact_writes
            positional = {**(positional or {}), "numeric": writes}
    param_oids = jsonb.parameter_types(client_text, client_toks, client_toks[0].start)
    if pre or planned is not None or grouped is not None or positional is not None:
        plain = None  # (their offsets and plans are the dispatched text's)
    return Rewritten(
        sql, param_oids, pre, tuple(notices), checked, refusal, planned, grouped, positional, plain
    )
