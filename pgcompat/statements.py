"""Splitting a message's SQL into statements and classifying each one.

Classification works on sqlglot's tokens, never on substrings of the text, so a keyword
inside a string, a comment or a dollar-quoted body never changes the verdict. The result
is cached by text: clients repeat the same statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

from pgcompat import lexer, locking, syntax
from pgcompat.cache import TextCache
from pgcompat.rewrite import rewrite
from pgcompat.tokens import tokenize
from pgcompat.transactions import begin_modes
from pgwire import faults
from pgwire.tags import LOCK_TABLE

_DDL_OBJECTS = (
    "TABLE",
    "VIEW",
    "INDEX",
    "SEQUENCE",
    "SCHEMA",
    "MACRO",
    "FUNCTION",
    "TYPE",
    "DATABASE",
    "ROLE",
    "USER",
    "EXTENSION",
    "SECRET",
    "TRIGGER",
    "MATERIALIZED",
)
_DDL_SKIP = {"OR", "REPLACE", "TEMP", "TEMPORARY", "UNIQUE", "GLOBAL", "LOCAL", "PERSISTENT", "UNLOGGED"}


class SqlSyntaxError(Exception):
    sqlstate = "42601"


@dataclass(frozen=True)
class Statement:
    """One SQL statement of a message, as the client wrote it, with its class.

    Statements are cached by the text of their message (split), so what is computed from one
    (its sqlglot analysis, the dictionary views it names, its lockdown usage) is computed once per
    text and kept in `memo` by the module that computes it.
    """

    text: str
    kind: str
    tag: str
    words: tuple[str, ...]
    tokens: tuple[Token, ...]
    engine_sql: str  # the text after PostgreSQL-to-DuckDB rewrites
    param_oids: tuple[int, ...] = ()  # parameter types a rewrite fixes (clients that send none get these)
    engine_pre: tuple[str, ...] = ()  # statements a rewrite runs first (DROP TABLE a, b: one per object)
    notices: tuple[str, ...] = ()  # what a rewrite tells the client it did
    checked: str = ""  # the text the sandbox analyses (PostgreSQL functions translated); "" = text
    engine_kind: str = ""  # the kind the engine runs it as, when not `kind` (SELECT ... INTO)
    # (SQLSTATE, message): PostgreSQL semantics DuckCDB cannot give this statement, so it is refused
    refusal: tuple[str, str] | None = None
    engine_alter: dict[str, Any] | None = None  # an ALTER TABLE the engine plans when it runs
    # GROUP BY a primary key: the text to run when the catalog says the key is covered
    engine_grouping: dict[str, Any] | None = None
    # INSERT INTO t VALUES (...) without a column list: where the engine may write one
    engine_positional: dict[str, Any] | None = None
    # the engine text without jsonb's dispatch, run while the PDB has no JSON column (rewrite.plain)
    engine_plain: str | None = None
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, hash=False)
    # A statement that differs from base only in its numbers: base is what is judged (its tokens
    # slice base's text), this one's text is what runs.
    base: Statement | None = field(default=None, compare=False, repr=False, hash=False)

    @property
    def judged(self) -> Statement:
        """The statement the verdicts, the analysis and the column names are computed on."""
        return self.base or self

    @property
    def param_count(self) -> int:
        """How many parameters the client's text uses ($n with the highest n)."""
        toks = self.tokens
        return max(
            (
                int(n.text)
                for t, n in zip(toks, toks[1:], strict=False)
                if t.token_type == TokenType.PARAMETER
                and t.text == "$"
                and n.token_type == TokenType.NUMBER
                and n.text.isascii()
                and n.text.isdigit()
                and n.start == t.end + 1
            ),
            default=0,
        )

    @property
    def lock(self) -> str:
        """How the statement waits for its PDB's write gate (pgcompat.locking): "" when it does not."""
        memo = self.judged.memo  # the tokens are base's: so is the answer
        hit = memo.get("lock")
        if hit is None:
            hit = memo["lock"] = locking.lock_mode(self.kind, self.tokens)
        return hit

    @property
    def writes(self) -> bool:
        memo = self.judged.memo
        hit = memo.get("writes")
        if hit is None:
            hit = memo["writes"] = locking.writes(self.engine_kind or self.kind, self.tokens)
        return hit

    def engine_op(self, names: list[str | None] | None = None) -> dict[str, object]:
        """The statement as the engine receives it in a simple-protocol query; names: PostgreSQL's
        result column names where DuckDB's differ (pgcompat.analysis)."""
        op: dict[str, object] = {
            "sql": self.engine_sql,
            "kind": self.engine_kind or self.kind,
            "tag": self.tag,
        }
        if self.engine_pre:
            op["pre"] = list(self.engine_pre)
        if self.notices:
            op["notices"] = list(self.notices)
        if self.engine_alter is not None:
            op["alter"] = self.engine_alter
        if self.engine_grouping is not None:
            op["grouping"] = self.engine_grouping
        if self.engine_positional is not None:
            op["positional"] = self.engine_positional
        if self.engine_plain is not None:
            op["plain"] = self.engine_plain
        if names is not None:
            op["names"] = names
        if self.kind == "begin":
            modes = begin_modes([t.text.upper() for t in self.tokens])
            op["read_only"] = modes.read_only
            op["isolation"] = modes.isolation
        if self.writes:
            op["writes"] = True
        if self.lock:
            op["lock"] = self.lock
        if self.kind != "select" or not _DECIMAL_LITERAL.search(self.text):
            # What the engine learns of this shape: whether its runs are quick (engine.threads)
            # and a SELECT's results (a decimal literal changes the result's types within a
            # shape, so such a SELECT neither teaches nor uses it).
            op["hint"] = self.judged.memo.setdefault("engine_hint", {})
        return op


def _word(sql: str, tok: Token) -> str:
    """The keyword a token spells, or '' for a quoted string or identifier."""
    if sql[tok.start] in "'\"$" or tok.token_type in (TokenType.BYTE_STRING, TokenType.HEREDOC_STRING):
        return ""
    return tok.text.upper()


def _ddl_tag(verb: str, words: tuple[str, ...]) -> str:
    for w in words[1:]:
        if w in _DDL_SKIP:
            continue
        if w == "MATERIALIZED":
            return f"{verb} MATERIALIZED VIEW"
        if w == "MACRO":
            return f"{verb} FUNCTION"
        if w in _DDL_OBJECTS:
            return f"{verb} {w}"
        break
    return verb


def _classify(words: tuple[str, ...]) -> tuple[str, str]:
    """(kind, command tag without counts) from the leading keywords."""
    w0 = words[0] if words else ""
    w1 = words[1] if len(words) > 1 else ""
    w2 = words[2] if len(words) > 2 else ""
    if w0 == "SELECT" and w1 == "DBMS_PDB":
        return "admin", "SELECT"
    if w0 in ("SELECT", "WITH", "VALUES", "FROM", "TABLE", "SUMMARIZE", "DESCRIBE", "PIVOT", "UNPIVOT", "("):
        return "select", "SELECT"
    if w0 == "EXPLAIN":
        return "explain", "EXPLAIN"
    if w0 in ("INSERT", "UPDATE", "DELETE", "MERGE"):
        return w0.lower(), w0
    if w0 in ("BEGIN", "START"):
        return "begin", "BEGIN"
    if w0 in ("COMMIT", "END"):
        return "commit", "COMMIT"
    if w0 in ("ROLLBACK", "ABORT"):
        if "TO" in words[1:3]:
            return "rollback_to", "ROLLBACK"
        return "rollback", "ROLLBACK"
    if w0 == "SAVEPOINT":
        return "savepoint", "SAVEPOINT"
    if w0 == "RELEASE":
        return "release", "RELEASE"
    if w0 == "COPY":
        return "copy", "COPY"
    if w0 in ("CREATE", "ALTER", "DROP") and w1 == "PLUGGABLE":
        return "admin", f"{w0} PLUGGABLE DATABASE"
    if w0 == "SHOW" and w1 in ("PDBS", "CON_NAME", "CON_ID"):
        return "admin", "SHOW"
    if w0 == "ALTER" and w1 == "SESSION" and w2 == "SET":
        return "admin", "ALTER SESSION"
    if w0 == "SET":
        return "set", "SET"
    if w0 == "RESET":
        return "reset", "RESET"
    if w0 == "SHOW":
        return "show", "SHOW"
    if w0 == "DISCARD":
        return "discard", "DISCARD ALL"
    if w0 in ("CREATE", "DROP", "ALTER"):
        return "ddl", _ddl_tag(w0, words)
    if w0 == "TRUNCATE":
        return "ddl", "TRUNCATE TABLE"
    if w0 in ("PREPARE", "EXECUTE", "DEALLOCATE"):
        return w0.lower(), w0
    if w0 in ("DECLARE", "FETCH", "MOVE", "CLOSE", "LISTEN", "UNLISTEN", "NOTIFY", "VACUUM", "ANALYZE"):
        return w0.lower(), w0
    if w0 in (
        "CHECKPOINT",
        "PRAGMA",
        "CALL",
        "LOAD",
        "INSTALL",
        "ATTACH",
        "DETACH",
        "USE",
        "EXPORT",
        "IMPORT",
    ):
        return "other", w0
    if w0 == "COMMENT":
        return "ddl", "COMMENT"
    if w0 == "GRANT" or w0 == "REVOKE":
        return "ddl", w0
    return "other", w0 or "SELECT"


def _statement(sql: str, toks: list[Token]) -> Statement:
    # Token ends are inclusive of closing quotes and dollar-quote tags.
    text = sql[toks[0].start : toks[-1].end + 1]
    engine_kind = ""
    # PostgreSQL syntax DuckDB lacks (SELECT ... INTO, CREATE LOCAL TEMP TABLE, keyword aliases):
    # the statement is classified and checked in the form that runs.
    shaped = syntax.reshape(text, toks)
    if shaped is not None:
        retokenized = tokenize(shaped.text)
        if retokenized:
            sql, text, toks, engine_kind = shaped.text, shaped.text, retokenized, shaped.engine_kind
    words = tuple(_word(sql, t) for t in toks[:8])
    kind, tag = _classify(words)
    if engine_kind == LOCK_TABLE:
        tag = "LOCK TABLE"
    rw = rewrite(text, toks)
    checked = rw.checked if rw.checked != text else ""
    return Statement(
        text,
        kind,
        tag,
        words,
        tuple(toks),
        rw.sql,
        rw.param_oids,
        rw.pre,
        rw.notices,
        checked,
        engine_kind,
        rw.refusal,
        rw.alter,
        rw.grouping,
        rw.positional,
        rw.plain,
    )


def _fix_positions(sql: str, toks: list[Token]) -> None:
    """sqlglot gives the string token of a command's arguments (SHOW x ...) wrong positions when
    blanks follow it; place it where its text is, so that every token slices the text it spells."""
    prev_end = -1
    for t in toks:
        if t.start > t.end:
            at = sql.find(t.text, prev_end + 1)
            if at >= 0:
                t.start, t.end = at, at + len(t.text) - 1
        prev_end = t.end


# Statements of message texts, and templates of statements that differ only in numbers. A token
# object holds ~200 bytes: what a statement keeps is about 60 bytes per character of its text.
_STATEMENTS = TextCache(budget_bytes=64 << 20, max_text=64 << 10)
_TEMPLATES = TextCache(budget_bytes=16 << 20, max_text=8 << 10)
_COST_PER_CHAR = 60


def cache_bytes() -> tuple[int, int]:
    """(bytes held, budget) of the statement caches: this process's, so one PDB's (SHOW RESOURCES)."""
    return _STATEMENTS.used + _TEMPLATES.used, _STATEMENTS.budget + _TEMPLATES.budget


# A number written as a literal (not part of a name, a parameter or a longer number); the same
# numbers pgcompat.analysis normalizes: no verdict and no classification depends on a number.
# Its pattern with the look-behind after the first digit (a digit not preceded by a word
# character, $ or a point), so that the search skips to digits: this runs at every statement.
_NUMBER = re.compile(r"\d(?<![\w$.]\d)\d*(?:\.\d+)?(?![\w.])")
# A digit beside a point: a decimal literal (1.5, 1., .5), or a name with a digit beside a dot.
_DECIMAL_LITERAL = re.compile(r"\d\.|\.\d")
# Numbers that make a statement's reading its own (pgcompat.numeric): too long for an unconstrained
# numeric or a DuckDB decimal literal (checked, or written exactly), and the negated minimum
# integers (typed as PostgreSQL types them).
# (Each branch starts with its first character, the look-behind after it: the search skips ahead.)
_OWN_READING = re.compile(
    r"\d{29}|\.\d{11}|2(?<![\w$.]2)147483648(?![\w.])|9(?<![\w$.]9)223372036854775808(?![\w.])"
)
# Kinds whose statements the template may stand for: their text runs as the client wrote it.
_TEMPLATE_KINDS = frozenset({"select", "insert", "update", "delete"})


def number_spans(sql: str) -> list[tuple[int, int]]:
    """Where the numbers a template stands for are in a text: (start, end) of each, in order."""
    return [m.span() for m in _NUMBER.finditer(sql)]


def split(sql: str) -> tuple[Statement, ...]:
    """The statements of one Query/Parse text; empty tuple for an empty query. Statements end at
    the semicolons PostgreSQL's lexer finds outside strings, quoted identifiers, dollar quotes
    and comments (pgcompat.lexer). Cached by text; a statement that differs from one seen before
    only in its numbers (a point query with a literal id) reuses that one's reading."""
    hit = _STATEMENTS.get(sql)
    if hit is not None:
        return hit
    key = _NUMBER.sub("0", sql) if len(sql) <= _TEMPLATES.max_text and not _OWN_READING.search(sql) else ""
    template = _TEMPLATES.get(key) if key else None
    if template is not None:
        # Not cached by text: texts that differ in their numbers are many, the template is one.
        return (_instance(template, sql),)
    else:
        out = split_text(sql)
        if key and len(out) == 1 and _templatable(out[0]):
            _TEMPLATES.put(key, out[0], _COST_PER_CHAR * len(sql))
    _STATEMENTS.put(sql, out, _COST_PER_CHAR * len(sql))
    return out


def _instance(template: Statement, sql: str) -> Statement:
    """The template's reading for a text that differs from its own only in numbers (as
    dataclasses.replace would make it, without running __init__ again: this is per statement)."""
    st = object.__new__(Statement)
    st.__dict__.update(template.__dict__)
    st.__dict__.update(text=sql, engine_sql=sql, memo={}, base=template)
    return st


def _templatable(st: Statement) -> bool:
    """A statement that runs as written, so that another one with other numbers can share its
    reading (tokens, class, analysis: their memo is shared too)."""
    return (
        st.kind in _TEMPLATE_KINDS
        and st.engine_sql == st.text
        and not st.engine_pre
        and not st.notices
        and not st.param_oids
        and not st.checked
        and not st.engine_kind
        and not st.refusal
        and st.engine_alter is None
        and st.engine_grouping is None
        and "numeric" not in (st.engine_positional or {})  # (its offsets are this text's)
        and st.engine_plain is None
    )


def split_text(sql: str) -> tuple[Statement, ...]:
    """The statements of a text, read afresh (split() without its caches)."""
    faults.inject("split", sql)
    try:
        toks = lexer.tokenize(sql)
    except TokenError as e:
        raise SqlSyntaxError(f"syntax error: {e}") from e
    _fix_positions(sql, toks)
    out: list[Statement] = []
    cur: list[Token] = []
    for t in toks:
        if t.token_type == TokenType.SEMICOLON:
            if cur:
                out.append(_statement(sql, cur))
                cur = []
            continue
        cur.append(t)
    if cur:
        out.append(_statement(sql, cur))
    return tuple(out)
