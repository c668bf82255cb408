"""COPY statements read into a CopySpec: what to copy, which way, in which format.

Only COPY FROM STDIN and COPY TO STDOUT reach an engine; a file or PROGRAM target is refused
here (the sandbox in the engine refuses it too).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlglot.tokens import Token, TokenType

from pgcompat.statements import Statement
from pgwire.errors import DbError


@dataclass
class CopySpec:
    direction: str  # "in" (FROM STDIN) or "out" (TO STDOUT)
    table: str | None  # table name as written (quotes kept), or None for COPY (query) TO
    columns: list[str] = field(default_factory=list)
    query: str | None = None
    format: str = "text"
    delimiter: str | None = None
    null: str | None = None
    header: bool = False
    quote: str = '"'
    escape: str | None = None

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def _string(t: Token) -> str:
    if t.token_type not in (TokenType.STRING, TokenType.BYTE_STRING):
        raise DbError("42601", f'syntax error at or near "{t.text}"')
    return t.text


class _Toks:
    def __init__(self, stmt: Statement) -> None:
        self.sql = stmt.text
        self.toks = list(stmt.tokens)
        self.base = stmt.tokens[0].start
        self.i = 0

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def word(self) -> str:
        t = self.peek()
        return t.text.upper() if t is not None and self.sql[t.start - self.base] not in "'\"" else ""

    def next(self) -> Token:
        t = self.peek()
        if t is None:
            raise DbError("42601", "syntax error at end of input")
        self.i += 1
        return t

    def src(self, t: Token) -> str:
        return self.sql[t.start - self.base : t.end - self.base + 1]


def parse_copy(stmt: Statement) -> CopySpec:
    ts = _Toks(stmt)
    ts.next()  # COPY
    table: str | None = None
    query: str | None = None
    columns: list[str] = []
    t = ts.peek()
    if t is not None and t.token_type == TokenType.L_PAREN:
        start = ts.next()
        depth = 1
        last = start
        while depth:
            last = ts.next()
            if last.token_type == TokenType.L_PAREN:
                depth += 1
            elif last.token_type == TokenType.R_PAREN:
                depth -= 1
        query = stmt.text[start.end - ts.base + 1 : last.start - ts.base]
    else:
        parts = [ts.src(ts.next())]
        while ts.peek() is not None and ts.peek().token_type == TokenType.DOT:
            ts.next()
            parts.append(ts.src(ts.next()))
        if len(parts) == 2 and parts[0].strip('"').lower() == "public":
            parts[0] = "main"  # clients' public schema is DuckDB's main (pgcompat.rewrite.public_schema)
        table = ".".join(parts)
        if ts.peek() is not None and ts.peek().token_type == TokenType.L_PAREN:
            ts.next()
            while True:
                columns.append(ts.src(ts.next()))
                sep = ts.next()
                if sep.token_type == TokenType.R_PAREN:
                    break
    way = ts.word()
    ts.next()
    if way not in ("FROM", "TO"):
        raise DbError("42601", f'syntax error at or near "{way}"')
    target = ts.word()
    tok = ts.next()
    if (way, target) not in (("FROM", "STDIN"), ("TO", "STDOUT")):
        what = "PROGRAM" if target == "PROGRAM" else f"file {tok.text!r}"
        raise DbError(
            "42501", f"COPY to or from a {what} is not allowed: only COPY FROM STDIN and COPY TO STDOUT"
        )
    if way == "FROM" and query is not None:
        raise DbError("42601", "COPY FROM needs a table, not a query")
    spec = CopySpec("in" if way == "FROM" else "out", table, columns, query)
    _options(ts, spec)
    return spec


def _options(ts: _Toks, spec: CopySpec) -> None:
    if ts.word() == "WITH":
        ts.next()
    t = ts.peek()
    if t is not None and t.token_type == TokenType.L_PAREN:
        ts.next()
        while True:
            name = ts.next().text.upper()
            value: str | None = None
            nt = ts.peek()
            if nt is not None and nt.token_type not in (TokenType.COMMA, TokenType.R_PAREN):
                vt = ts.next()
                value = vt.text
            _apply(spec, name, value)
            sep = ts.next()
            if sep.token_type == TokenType.R_PAREN:
                break
        return
    # Pre-9.0 syntax: [BINARY] [DELIMITER [AS] 'c'] [NULL [AS] 's'] [CSV [HEADER] [QUOTE 'q'] [ESCAPE 'e']]
    while ts.peek() is not None:
        w = ts.word()
        ts.next()
        if w in ("BINARY", "CSV"):
            spec.format = w.lower()
        elif w == "HEADER":
            spec.header = True
        elif w in ("DELIMITER", "NULL", "QUOTE", "ESCAPE"):
            if ts.word() == "AS":
                ts.next()
            _apply(spec, w, _string(ts.next()))
        elif w == "FORCE":
            # FORCE QUOTE / FORCE NOT NULL column lists: accepted, quoting follows the data.
            while ts.peek() is not None and ts.word() not in (
                "DELIMITER",
                "NULL",
                "QUOTE",
                "ESCAPE",
                "HEADER",
            ):
                ts.next()
        else:
            raise DbError("42601", f'syntax error at or near "{w}"')


def _apply(spec: CopySpec, name: str, value: str | None) -> None:
    if name == "FORMAT":
        fmt = (value or "").lower()
        if fmt not in ("text", "csv", "binary"):
            raise DbError("22023", f'COPY format "{fmt}" not recognized')
        spec.format = fmt
    elif name == "DELIMITER":
        if value is None or len(value) != 1:
            raise DbError("22023", "COPY delimiter must be a single one-byte character")
        spec.delimiter = value
    elif name == "NULL":
        spec.null = value
    elif name == "HEADER":
        spec.header = value is None or value.lower() in ("true", "on", "1", "match")
    elif name == "QUOTE":
        spec.quote = value or '"'
    elif name == "ESCAPE":
        spec.escape = value
    elif name in ("FREEZE", "ENCODING", "FORCE_QUOTE", "FORCE_NOT_NULL", "FORCE_NULL", "OIDS"):
        pass
    else:
        raise DbError("42601", f'option "{name.lower()}" not recognized')
