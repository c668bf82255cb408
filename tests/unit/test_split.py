"""pgcompat.statements.split: statements end at PostgreSQL's top-level semicolons (issue 12).

Each case gives the message, the statement texts split() returns and each one's param_count.
"""

from __future__ import annotations

import pytest
from sqlglot.tokens import TokenType

from pgcompat import analysis, lexer
from pgcompat.statements import SqlSyntaxError, split_text
from pgcompat.tokens import tokenize


def _split(sql: str) -> list[tuple[str, int]]:
    return [(st.text, st.param_count) for st in split_text(sql)]


PARAMETERS = [
    # psycopg's server-side binding: placeholders without spaces (issue 12)
    (
        "INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        [("INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)", 9)],
    ),
    ("SELECT ($1,$2)", [("SELECT ($1,$2)", 2)]),
    ("SELECT $1::int + $2", [("SELECT $1::int + $2", 2)]),
    ("SELECT $1::int,$2::text", [("SELECT $1::int,$2::text", 2)]),
    ("SELECT f($1)", [("SELECT f($1)", 1)]),
    ("SELECT a FROM t WHERE a=$1;SELECT $2", [("SELECT a FROM t WHERE a=$1", 1), ("SELECT $2", 2)]),
    ("SELECT a FROM t WHERE a<$1,$2", [("SELECT a FROM t WHERE a<$1,$2", 2)]),
    ("SELECT $10,$2", [("SELECT $10,$2", 10)]),
    ("SELECT $1.x,$2", [("SELECT $1.x,$2", 2)]),
    ("SELECT $1,$$;$$", [("SELECT $1,$$;$$", 1)]),
    ("SELECT $1$a$;$a$", [("SELECT $1$a$;$a$", 1)]),
    # sqlglot read `$1,$2; SELECT $1,$` as one dollar-quoted string: two statements became one
    ("SELECT $1,$2; SELECT $1,$3", [("SELECT $1,$2", 2), ("SELECT $1,$3", 3)]),
    ("UPDATE t SET a=$1,b=$2 WHERE c=$3", [("UPDATE t SET a=$1,b=$2 WHERE c=$3", 3)]),
    # `$` inside a word is part of the word, not a parameter or a dollar quote
    ("SELECT a$1,$2", [("SELECT a$1,$2", 2)]),
    ("SELECT x$$y$$, $1", [("SELECT x$$y$$, $1", 1)]),
    # `@1` is PostgreSQL's abs(), not a parameter
    ("SELECT @1", [("SELECT @1", 0)]),
    # a reshaped statement (SELECT ... INTO) is tokenized again, parameters and all
    ("SELECT $1,$2 INTO newt", [("CREATE TABLE newt AS SELECT $1,$2", 2)]),
]

DOLLAR_QUOTES = [
    ("SELECT $$a;b$$; SELECT 1", [("SELECT $$a;b$$", 0), ("SELECT 1", 0)]),
    ("SELECT $fn$ x; $fn$; SELECT 1", [("SELECT $fn$ x; $fn$", 0), ("SELECT 1", 0)]),
    ("SELECT $a$ $b$ ; $b$ $a$; SELECT 1", [("SELECT $a$ $b$ ; $b$ $a$", 0), ("SELECT 1", 0)]),
    ("SELECT $q$ ; $Q$ ; $q$;SELECT 1", [("SELECT $q$ ; $Q$ ; $q$", 0), ("SELECT 1", 0)]),
    ("SELECT $_t1$ ' -- /* ; $_t1$;SELECT 1", [("SELECT $_t1$ ' -- /* ; $_t1$", 0), ("SELECT 1", 0)]),
    ("SELECT $a$ $ab$; $a$;SELECT 1", [("SELECT $a$ $ab$; $a$", 0), ("SELECT 1", 0)]),
    (
        "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql; SELECT f()",
        [
            ("CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql", 0),
            ("SELECT f()", 0),
        ],
    ),
]

COMMENTS = [
    ("SELECT /* a /* b */ ; */ 1; SELECT 2", [("SELECT /* a /* b */ ; */ 1", 0), ("SELECT 2", 0)]),
    # sqlglot ends this comment at the first */ (then reads `*` and `/`)
    ("SELECT /*/* ; */ */ 1; SELECT 2", [("SELECT /*/* ; */ */ 1", 0), ("SELECT 2", 0)]),
    ("SELECT 1 -- a;b\n; SELECT 2", [("SELECT 1", 0), ("SELECT 2", 0)]),
    ("SELECT 1 -- a;b\r; SELECT 2", [("SELECT 1", 0), ("SELECT 2", 0)]),
    ("SELECT 1; -- the end; really", [("SELECT 1", 0)]),
    ("/* c; */ SELECT 1 /* d; */ ; -- e;\n SELECT $1 -- f;", [("SELECT 1", 0), ("SELECT $1", 1)]),
    ("SELECT $1 -- $2;\n, $3", [("SELECT $1 -- $2;\n, $3", 3)]),
    ("SELECT 1 +-- x;\n 2; SELECT 3", [("SELECT 1 +-- x;\n 2", 0), ("SELECT 3", 0)]),
    # `#--` is `#` and a comment for PostgreSQL; sqlglot read the operator `#-` (the statement is
    # 1 # 2, xor, which pgcompat.pg_operators writes as DuckDB's xor(): the comment went with it)
    ("SELECT 1 #-- x;\n 2; SELECT 3", [("SELECT xor(1, 2)", 0), ("SELECT 3", 0)]),
    ("-- only a comment;", []),
]

STRINGS = [
    ("SELECT E'\\'' ; SELECT 2", [("SELECT E'\\''", 0), ("SELECT 2", 0)]),
    ("SELECT E'a\\';b'; SELECT 2", [("SELECT E'a\\';b'", 0), ("SELECT 2", 0)]),
    ("SELECT e'x''y;' ; SELECT 2", [("SELECT e'x''y;'", 0), ("SELECT 2", 0)]),
    ("SELECT E'\\\\'; SELECT 2", [("SELECT E'\\\\'", 0), ("SELECT 2", 0)]),
    ("SELECT E'$1,$2;'||$1", [("SELECT E'$1,$2;'||$1", 1)]),
    # standard_conforming_strings: a backslash in '' is a backslash
    ("SELECT 'a\\'; SELECT 2", [("SELECT 'a\\'", 0), ("SELECT 2", 0)]),
    ("SELECT 'it''s;'; SELECT 2", [("SELECT 'it''s;'", 0), ("SELECT 2", 0)]),
    ("SELECT '$1,$2;';SELECT $1,$2", [("SELECT '$1,$2;'", 0), ("SELECT $1,$2", 2)]),
    ("SELECT U&'d\\0061t;a'; SELECT 2", [("SELECT U&'d\\0061t;a'", 0), ("SELECT 2", 0)]),
    ("SELECT u&'x;''y' UESCAPE '!'; SELECT 2", [("SELECT u&'x;''y' UESCAPE '!'", 0), ("SELECT 2", 0)]),
    # U&'' has no backslash-quote escape
    ("SELECT U&'a\\' ; SELECT 2", [("SELECT U&'a\\'", 0), ("SELECT 2", 0)]),
    ('SELECT U&"d;a"; SELECT 2', [('SELECT U&"d;a"', 0), ("SELECT 2", 0)]),
    ("SELECT N'a;b', B'101', X'ff'; SELECT 2", [("SELECT N'a;b', B'101', X'ff'", 0), ("SELECT 2", 0)]),
    ('SELECT "a;b""c" FROM "t;"; SELECT 2', [('SELECT "a;b""c" FROM "t;"', 0), ("SELECT 2", 0)]),
    ('SELECT "$1,$2"', [('SELECT "$1,$2"', 0)]),
]

STATEMENTS = [
    ("", []),
    ("  ;  ", []),
    (";;SELECT 1;;", [("SELECT 1", 0)]),
    ("SELECT 1;SELECT 2", [("SELECT 1", 0), ("SELECT 2", 0)]),
    # sqlglot keeps what follows a command as one string; its parameters are the inner statement's
    ("EXPLAIN SELECT $1,$2; SELECT 1", [("EXPLAIN SELECT $1,$2", 0), ("SELECT 1", 0)]),
    ("SHOW search_path  ; SELECT 1", [("SHOW search_path", 0), ("SELECT 1", 0)]),
    ("EXECUTE p('a;b', $1)  ", [("EXECUTE p('a;b', $1)", 0)]),
]


@pytest.mark.parametrize(
    ("sql", "expected"),
    PARAMETERS + DOLLAR_QUOTES + COMMENTS + STRINGS + STATEMENTS,
    ids=lambda v: repr(v)[:60] if isinstance(v, str) else "",
)
def test_split(sql: str, expected: list[tuple[str, int]]) -> None:
    assert _split(sql) == expected


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'abc",
        "SELECT E'\\'",
        "SELECT E'abc\\",
        'SELECT "abc',
        'SELECT U&"abc',
        "SELECT $a$ x",
        "SELECT $$",
        "SELECT /* /* */ 1",
        "SELECT /*/*/*/**/",
        # PostgreSQL 16 refuses `$1e5` (trailing junk after a parameter); sqlglot reads `1e5`
        "SELECT $1e5",
        "SELECT $1,$2\x00",
        # sqlglot takes `$a;b$` for a dollar-quote tag; PostgreSQL reads a stray `$`
        "SELECT $a;b$; SELECT 1",
    ],
)
def test_refused_with_a_syntax_error(sql: str) -> None:
    with pytest.raises(SqlSyntaxError) as e:
        split_text(sql)
    assert e.value.sqlstate == "42601"


def test_parameter_tokens_spell_the_text() -> None:
    sql = "INSERT INTO t VALUES ($1,$2,'a;b',$3)"
    (st,) = split_text(sql)
    toks = st.tokens
    params = [(t, n) for t, n in zip(toks, toks[1:], strict=False) if t.token_type == TokenType.PARAMETER]
    assert [(sql[t.start : t.end + 1], t.text, sql[n.start : n.end + 1], n.text) for t, n in params] == [
        ("$", "$", "1", "1"),
        ("$", "$", "2", "2"),
        ("$", "$", "3", "3"),
    ]
    (s,) = [t for t in st.tokens if t.token_type == TokenType.STRING]
    assert (sql[s.start : s.end + 1], s.text) == ("'a;b'", "a;b")


def test_command_arguments_keep_their_dollars() -> None:
    sql = "EXPLAIN SELECT $1,$2 /* c */"
    toks = lexer.tokenize(sql)
    assert [t.text for t in toks] == ["EXPLAIN", "SELECT $1,$2 /* c */"]


def test_comments_blanked_for_sqlglot_keep_the_command_text() -> None:
    # sqlglot ends `/*/* */ ; */` at the first */ and so sees a semicolon in it; the second try
    # (comments blanked) agrees with PostgreSQL, and the command's string is still the client's
    sql = "SHOW x /*/* */ ; */ y; SELECT 1"
    assert [t.text for t in lexer.tokenize(sql)] == ["SHOW", "x /*/* */ ; */ y", ";", "SELECT", "1"]
    assert _split(sql) == [("SHOW x /*/* */ ; */ y", 0), ("SELECT 1", 0)]
    # `#--` is `#` and a comment: sqlglot read `#-`, `-` and a semicolon
    sql = "EXPLAIN SELECT 1 #-- ;\n ; SELECT 2"
    assert [t.text for t in lexer.tokenize(sql)][:2] == ["EXPLAIN", "SELECT 1 #"]
    assert _split(sql) == [("EXPLAIN SELECT 1 #", 0), ("SELECT 2", 0)]


def test_tokenize_for_rewrites() -> None:
    toks = tokenize("SELECT $1,$2")
    assert toks is not None
    assert [t.token_type for t in toks][1:4] == [TokenType.PARAMETER, TokenType.NUMBER, TokenType.COMMA]
    assert tokenize("SELECT 'abc") is None


def test_scan() -> None:
    sql = "SELECT $1, '$2;', $$;$$ /* ; */ -- ;\n; E'\\';', U&\";\""
    sc = lexer.scan(sql)
    assert sc.params == ((7, 9),)
    assert [sql[a:b] for a, b in sc.quoted] == ["'$2;'", "$$;$$", "E'\\';'", '";"']
    assert [sql[a:b] for a, b in sc.comments] == ["/* ; */", "-- ;"]
    assert sc.semicolons == (sql.index("\n;") + 1,)


@pytest.mark.parametrize(
    ("sql", "kind", "tables"),
    [
        ("INSERT INTO t VALUES ($1,$2,$3)", "Insert", {("", "", "t")}),
        ("SELECT a FROM s WHERE a=$1 OR b=''", "Select", {("", "", "s")}),
        # sqlglot's own tokens read `$1,$2 FROM s, (SELECT $1,$` as one dollar-quoted string
        ("SELECT $1,$2 FROM s, (SELECT $1,$3 FROM u) q", "Select", {("", "", "s"), ("", "", "u")}),
        ("EXPLAIN SELECT $1,$2 FROM s", "Select", {("", "", "s")}),
    ],
)
def test_analysis_reads_statements_with_parameters(sql: str, kind: str, tables: set) -> None:
    (st,) = split_text(sql)
    a = analysis.analyze(st)
    assert (a.kind, set(a.tables), a.parse_error) == (kind, tables, None)


def test_explain_of_a_refused_statement_is_unparsed() -> None:
    (st,) = split_text("EXPLAIN SELECT $1e5 FROM s")
    a = analysis.analyze(st)
    assert a.kind == "Unparsed"
    assert a.parse_error is not None and a.parse_error.startswith("cannot tokenize")
