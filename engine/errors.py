"""DuckDB exceptions to PostgreSQL SQLSTATEs: the one mapping of engine errors."""

from __future__ import annotations

import re

import duckdb

from engine import pgmath
from engine.codec import CodecError
from pgwire.errors import DbError
from pgwire.types import LENGTH_CHECK_SHAPE, NOT_ROUNDED

# The failure of a varchar(n) / char(n) length (the CHECK policies/lengths.py writes).
_LENGTH_CHECK = re.compile(
    r"CHECK constraint failed on table .* with expression CHECK\(" + LENGTH_CHECK_SHAPE + r"\)$"
)
# A date/time text of digits and separators whose fields are out of range (PostgreSQL: 22008);
# DuckDB says the same of a text that is no date or time at all ('x'::time), which is 22007.
_DATETIME_FIELD_RANGE = re.compile(r'(?:date|time|timestamp) field value out of range: "[0-9 :.+\-Tt]*"')
_TYPE_OF_CHECKED_COLUMN = re.compile(r"Cannot change the type of a column that has a CHECK constraint")
# A bytea text in hex format ('\x...') that is no hex: PostgreSQL's byteain says 22023.
_BYTEA_HEX = re.compile(
    r'Invalid hex escape code encountered in string -> blob conversion of string "(\\x[^"]*)"'
)
_HEX = frozenset("0123456789abcdefABCDEF")
# RE2's errors of a regular expression (DuckDB's regexp functions) -> PostgreSQL's words (2201B).
_REGEX_ERRORS = {
    "missing )": "parentheses () not balanced",
    "unexpected )": "parentheses () not balanced",
    "missing ]": "brackets [] not balanced",
    "invalid escape sequence": "invalid escape \\ sequence",
    "trailing \\": "invalid escape \\ sequence",
    "bad repetition operator": "quantifier operand invalid",
    "no argument for repetition operator": "quantifier operand invalid",
    "invalid repetition size": "invalid repetition count(s)",
    "invalid character class range": "invalid character range",
    "invalid character class": "invalid character class",
    "invalid perl operator": "quantifier operand invalid",
    "invalid named capture group": "quantifier operand invalid",
}
_REGEX_ERROR = re.compile(r"(?:^|: )(" + "|".join(map(re.escape, _REGEX_ERRORS)) + r"): ")


def _exactly(message: str) -> re.Pattern[str]:
    """A message as the whole of an error's text (after DuckDB's 'X Error: ' prefix)."""
    return re.compile(r"(?:^|: )" + re.escape(message) + r"$")


# (exception class name, message pattern, sqlstate); first match wins, None pattern matches all.
_RULES: list[tuple[str, re.Pattern[str] | None, str]] = [
    ("InterruptException", None, "57014"),
    ("OutOfMemoryException", None, "53200"),
    ("TransactionException", re.compile(r"Current transaction is aborted", re.I), "25P02"),
    ("TransactionException", re.compile(r"conflict", re.I), "40001"),
    ("TransactionException", re.compile(r"read.only", re.I), "25006"),
    ("TransactionException", re.compile(r"no transaction is active|cannot (commit|rollback)", re.I), "25P01"),
    ("TransactionException", re.compile(r"already active|within a transaction", re.I), "25001"),
    ("ConstraintException", re.compile(r"duplicate key|unique constraint|primary key", re.I), "23505"),
    ("ConstraintException", re.compile(r"NOT NULL", re.I), "23502"),
    ("ConstraintException", re.compile(r"foreign key", re.I), "23503"),
    ("ConstraintException", _LENGTH_CHECK, "22001"),
    ("ConstraintException", re.compile(r"CHECK constraint", re.I), "23514"),
    ("ConstraintException", None, "23000"),
    (
        "CatalogException",
        re.compile(r"Table with name .* does not exist|Table .* does not exist", re.I),
        "42P01",
    ),
    ("CatalogException", re.compile(r"View with name .* does not exist", re.I), "42P01"),
    ("CatalogException", re.compile(r"Schema with name .* does not exist", re.I), "3F000"),
    (
        "CatalogException",
        re.compile(r"(Scalar|Table|Aggregate|Macro) Function with name .* does not exist", re.I),
        "42883",
    ),
    ("CatalogException", re.compile(r"Type with name .* does not exist", re.I), "42704"),
    ("CatalogException", re.compile(r"already exists", re.I), "42P07"),
    (
        "CatalogException",
        re.compile(r"Cannot drop entry .* because there are entries that depend", re.I),
        "2BP01",
    ),
    ("CatalogException", None, "42704"),
    (
        "BinderException",
        re.compile(
            r"Referenced column .* not found|column .* does not exist|Values list .* does not have a column",
            re.I,
        ),
        "42703",
    ),
    ("BinderException", re.compile(r"No function matches|function .* does not exist", re.I), "42883"),
    # a call DuckDB cannot pick an overload of (PostgreSQL's ambiguous_function: $1 + $2 untyped)
    ("BinderException", re.compile(r"(?:^|: )Macro \w+\(\) has multiple overloads that match"), "42725"),
    ("BinderException", re.compile(r"must appear in the GROUP BY", re.I), "42803"),
    # PostgreSQL's grouping_error and windowing_error of aggregates and window functions misplaced
    (
        "BinderException",
        re.compile(
            r"(?:^|: )(?:WHERE clause cannot contain aggregates|aggregate function calls cannot be nested"
            r"|aggregate function calls cannot contain window function calls)"
        ),
        "42803",
    ),
    ("BinderException", re.compile(r"(?:^|: )WHERE clause cannot contain window functions"), "42P20"),
    (
        "BinderException",
        re.compile(
            r'does not have a column with name "|(?:^|: )Referenced update column .* not found'
            r'|(?:^|: )Table "[^"]*" does not have a column named "'
            # t.c with t a column (a single-column function's, as pgcompat.srf names it): PostgreSQL
            # reads t.c as table t's column c
            r"|(?:^|: )Cannot extract field '[^']*' from expression \"[^\"]*\" because it is not a struct"
            # pgcompat.pg_refusals.from_columns: a select-list alias in WHERE that is no column
            r'|(?:^|: )No matching columns found that match regex "\(\?i\)\^'
        ),
        "42703",
    ),
    ("BinderException", re.compile(r"(?:^|: )ORDER term out of range"), "42P10"),
    # row_to_json of a value that is no row: PostgreSQL has no row_to_json(integer)
    ("BinderException", re.compile(r"(?:^|: )row_to_json\(\) argument type must be STRUCT"), "42883"),
    ("BinderException", re.compile(r'(?:^|: )Prepared statement "[^"]*" does not exist'), "26000"),  # EXECUTE
    ("BinderException", re.compile(r"(?:^|: )DECIMAL type scale cannot be greater than width"), "22003"),
    ("BinderException", re.compile(r"(?:^|: )interval cannot be 0!"), "22023"),  # generate_series step
    ("BinderException", re.compile(r"Ambiguous reference", re.I), "42702"),
    ("BinderException", _TYPE_OF_CHECKED_COLUMN, "0A000"),
    ("BinderException", re.compile(r"Cannot compare|Cannot mix|cannot be cast|type mismatch", re.I), "42804"),
    ("BinderException", None, "42601"),
    ("ParserException", None, "42601"),
    ("SyntaxException", re.compile(r"(?:^|: )Like pattern must not end with escape character"), "22025"),
    ("SyntaxException", None, "42601"),
    # date/time input: PostgreSQL's datetime_in errors (DTERR_FIELD_OVERFLOW is 22008, a text
    # that is no date/time 22007, an unknown zone or unit 22023)
    ("ConversionException", _DATETIME_FIELD_RANGE, "22008"),
    ("ConversionException", re.compile(r"(?:date|time|timestamp) field value out of range"), "22007"),
    ("ConversionException", re.compile(r"invalid (?:date|time|timestamp) field format"), "22007"),
    ("ConversionException", re.compile(r"(?:^|: )Date out of range"), "22008"),
    ("ConversionException", re.compile(r"Could not convert string .* to INTERVAL"), "22007"),
    ("ConversionException", re.compile(r"Unknown TimeZone '"), "22023"),
    ("ConversionException", re.compile(r'extract specifier ".*" not recognized'), "22023"),
    ("ConversionException", re.compile(r"out of range|overflow", re.I), "22003"),
    ("ConversionException", re.compile(r"(?:^|: )Unimplemented type for cast \("), "42846"),  # cannot cast
    ("ConversionException", _BYTEA_HEX, "22023"),
    ("ConversionException", None, "22P02"),
    ("OutOfRangeException", None, "22003"),
    ("InvalidInputException", re.compile(r"Division by zero", re.I), "22012"),
    ("InvalidInputException", _REGEX_ERROR, "2201B"),
    ("InvalidInputException", re.compile(r"More than one row returned by a subquery", re.I), "21000"),
    # a value DuckCDB refuses rather than round (pgwire.types.NOT_ROUNDED: engine.pgmath's
    # quotients, pgcompat.numeric's checks of literals written into numeric columns)
    ("InvalidInputException", re.compile(re.escape(NOT_ROUNDED)), "22003"),
    # PostgreSQL's errors that engine.pgmath's macros raise where DuckDB answers NaN or Infinity
    *[("InvalidInputException", _exactly(m), "2201F") for m in pgmath.POWER_ERRORS],
    *[("InvalidInputException", _exactly(m), "2201E") for m in pgmath.LOG_ERRORS],
    *[("InvalidInputException", _exactly(m), "22003") for m in pgmath.RANGE_ERRORS],
    (
        "InvalidInputException",
        re.compile(r"configuration has been locked|Cannot change configuration", re.I),
        "42501",
    ),
    ("InvalidInputException", re.compile(r"\(\) is not allowed in this engine$"), "42501"),  # engine.shadows
    ("InvalidInputException", re.compile(r"read.only", re.I), "25006"),
    ("InvalidInputException", re.compile(r"Could not convert|invalid input syntax|Malformed", re.I), "22P02"),
    (
        "InvalidInputException",
        re.compile(r'(?:^|: )relation "[^"]*" does not exist'),
        "42P01",
    ),  # pgcompat.sequences
    # PostgreSQL's own messages, raised by pgcompat's translations (pgcompat.pg_strings, .int_casts)
    ("InvalidInputException", re.compile(r"negative substring length not allowed"), "22011"),
    ("InvalidInputException", re.compile(r"null character not permitted"), "54000"),
    ("InvalidInputException", re.compile(r"is out of range for type"), "22003"),
    ("InvalidInputException", re.compile(r'unit "\w+" not supported for type'), "0A000"),
    ("InvalidInputException", None, "22023"),
    ("PermissionException", None, "42501"),
    ("NotImplementedException", None, "0A000"),
    ("DependencyException", None, "2BP01"),
    ("SequenceException", None, "2200H"),
    ("IOException", re.compile(r"read.only", re.I), "25006"),
    ("IOException", re.compile(r"No space left|disk", re.I), "53100"),
    ("IOException", None, "58030"),
    ("InvalidTypeException", None, "42804"),
    ("TypeMismatchException", None, "42804"),
    ("SerializationException", None, "XX000"),
    ("FatalException", None, "XX000"),
    ("InternalException", None, "XX000"),
]

_PREFIX = re.compile(r"^[A-Za-z ]*Error: (?:Python exception occurred while executing the UDF: \w+: )?")
_READ_ONLY = re.compile(r"read-only mode|attached in read-only|read only mode", re.I)


def _clean(message: str) -> tuple[str, str | None]:
    """DuckDB's text without its 'X Error: ' prefix; the LINE/caret tail becomes the detail."""
    text = _PREFIX.sub("", message, count=1).strip()
    head, sep, tail = text.partition("\n\nLINE ")
    if not sep:
        head, sep, tail = text.partition("\nLINE ")
    detail = ("LINE " + tail).strip() if sep else None
    return head.strip(), detail


# Spilling beyond MAX_SHARED_TEMP_SIZE (DuckDB's max_temp_directory_size), whichever error
# carries it: PostgreSQL's temp_file_limit error.
_TEMP_LIMIT = re.compile(r"max_temp_directory_size", re.I)


def sqlstate_for(exc: BaseException) -> str:
    name = type(exc).__name__
    text = str(exc)
    if _READ_ONLY.search(text):
        return "25006"
    if _TEMP_LIMIT.search(text):
        return "53400"
    for cls, pattern, state in _RULES:
        if cls == name and (pattern is None or pattern.search(text)):
            return state
    return "XX000"


# The jsonb functions' errors (engine.jsonb), as DuckDB passes them on.
_JSONB_ERROR = re.compile(r"Python exception occurred while executing the UDF: ValueError: (.*)", re.S)
_UDF = "Python exception occurred while executing the UDF"
_UDF_SQLSTATE = re.compile(r"^([0-9A-Z]{5}): (.*)$", re.S)
_ENGINE_REFUSAL = re.compile(r"^DuckCDB ([0-9A-Z]{5}): ([^\n]*)(?:\n(.*))?$", re.S)

# INSERT with more values than the table has columns (fewer: engine.inserts names the columns).
_TOO_MANY_VALUES = re.compile(r'^table "[^"]*" has (\d+) columns but (\d+) values were supplied')

# DuckDB's wording of the common errors -> PostgreSQL's, which users and tools match, and the
# object each names (the ErrorResponse's table/column/... fields). DuckDB's "Did you mean ...?"
# suggestions go: they can name system tables, and PostgreSQL makes none.
_POSTGRES_WORDING: list[tuple[str, re.Pattern[str], str, str | None]] = [
    (
        "42P01",
        re.compile(r'^(?:Table|View) with name "?([^"!]+?)"? does not exist(?:!| because)'),
        'relation "{0}" does not exist',
        "table",
    ),
    (
        "42P07",
        re.compile(r'^(?:Table|View) with name "?([^"!]+?)"? already exists!'),
        'relation "{0}" already exists',
        "table",
    ),
    (
        "3F000",
        re.compile(r'^Schema with name "?([^"!]+?)"? does not exist!'),
        'schema "{0}" does not exist',
        "schema",
    ),
    (
        "42704",
        re.compile(r'^Type with name "?([^"!]+?)"? does not exist!'),
        'type "{0}" does not exist',
        "datatype",
    ),
    (
        "42703",
        re.compile(r'^Referenced column "([^"]+)" not found in FROM clause!'),
        'column "{0}" does not exist',
        "column",
    ),
    (
        "42725",  # engine.pgmath's arithmetic (pgcompat.result_types) with no typed operand
        re.compile(r"^Macro __pg_(add|sub|mul|div)\(\) has multiple overloads"),
        "operator is not unique: unknown {0} unknown",
        None,
    ),
    (
        "42703",
        re.compile(r'^(?:Table|Values list) "([^"]+)" does not have a column named "(?P<name>[^"]+)"'),
        "column {0}.{1} does not exist",
        "column",
    ),
    (
        "42703",
        re.compile(
            r"^Cannot extract field '(?P<name>[^']+)' from expression \"([^\"]+)\" because it is not a struct"
        ),
        "column {1}.{0} does not exist",
        "column",
    ),
    (
        "42703",
        re.compile(r'^No matching columns found that match regex "\(\?i\)\^(.*)\$"'),
        'column "{0}" does not exist',
        "column",
    ),
    (
        "42883",
        re.compile(r"^(?:Scalar|Table|Aggregate|Macro) Function with name \"?([^\"!]+?)\"? does not exist!"),
        "function {0} does not exist",
        None,
    ),
]


_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
# DuckDB's NOT NULL failure names the table and column: PostgreSQL's wording and fields (its
# detail, the failing row, DuckDB does not give)
_NOT_NULL = re.compile(r'^NOT NULL constraint failed: (?:"?([^".]+)"?\.)?"?([^".]+)"?\."?([^".]+)"?$')


def _postgres_wording(state: str, message: str) -> tuple[str, dict[str, str]] | None:
    m = _NOT_NULL.match(message) if state == "23502" else None
    if m is not None:
        table, column = m.group(2), m.group(3)
        schema = "public" if m.group(1) in (None, "main") else m.group(1)
        return (
            f'null value in column "{column}" of relation "{table}" violates not-null constraint',
            {"schema": schema, "table": table, "column": column},
        )
    for st, pattern, text, field in _POSTGRES_WORDING:
        if st != state:
            continue
        m = pattern.match(message)
        if m is not None:
            groups = m.groups()
            if st == "42703":  # (pgcompat.pg_refusals.from_columns escapes the name in its pattern)
                groups = tuple(re.sub(r"\\(.)", r"\1", g or "") for g in groups)
            if st == "42725":
                groups = (_OPERATORS[groups[0]],)
            name = m.groupdict().get("name") or groups[0]  # (the object's name: group 1 unless named)
            return text.format(*groups), ({field: name.split(".")[-1]} if field else {})
    return None


def _bytea_hex_error(text: str) -> str:
    """PostgreSQL's byteain error for a hex-format text ('\\x' and the digits, blanks between
    bytes allowed)."""
    digits = text[2:]
    bad = next((c for c in digits if c not in _HEX and not c.isspace()), None)
    if bad is not None:
        return f'invalid hexadecimal digit: "{bad}"'
    return "invalid hexadecimal data: odd number of digits"


def to_db_error(exc: BaseException) -> DbError:
    """The client-facing error for an exception raised while running tenant SQL."""
    if isinstance(exc, DbError):
        return exc
    if isinstance(exc, CodecError):
        return DbError(exc.sqlstate, exc.message)
    state = sqlstate_for(exc)
    if state == "57014":
        return DbError(state, "canceling statement due to user request")
    message, detail = _clean(str(exc))
    if state == "22012":
        message = "division by zero"
    if state == "21000":
        message, detail = "more than one row returned by a subquery used as an expression", None
    if state == "22001":
        m = _LENGTH_CHECK.search(message)
        if m is not None:
            kind = "character varying" if m.group(1) else "character"
            message, detail = f"value too long for type {kind}({m.group(3)})", None
    if state == "0A000" and _TYPE_OF_CHECKED_COLUMN.search(message):
        message = (
            "cannot change the type of a column with a CHECK constraint (varchar(n) and char(n) lengths are"
            " CHECK constraints): DuckDB cannot drop them; create a new table and copy the rows"
        )
    if state == "22023" and _BYTEA_HEX.search(message):
        message, detail = _bytea_hex_error(_BYTEA_HEX.search(message).group(1)), None  # type: ignore[union-attr]
    if state == "2201B":
        m = _REGEX_ERROR.search(message)
        message = f"invalid regular expression: {_REGEX_ERRORS[m.group(1)]}" if m else message
    if state == "25P02":
        message = "current transaction is aborted, commands ignored until end of transaction block"
    udf = _JSONB_ERROR.search(message) if state in ("22023", "22P02") else None
    if udf is not None:  # engine.jsonb: PostgreSQL's message (and the parser's reason)
        message, _, reason = udf.group(1).partition("\n")
        state = "22P02" if message.startswith("invalid input syntax") else "22023"
        return DbError(state, message, detail=reason.strip() or None)
    if state in ("22023", "22P02") and _UDF in str(exc):  # (_clean took the UDF's prefix off)
        head, _, reason = message.partition("\n")
        coded = _UDF_SQLSTATE.match(head)
        if coded is not None:  # engine.jsonb: "0A000: message\nhint" names its own SQLSTATE
            return DbError(coded.group(1), coded.group(2), hint=reason.strip() or None)
        state = "22P02" if head.startswith("invalid input syntax") else "22023"
        return DbError(state, head, detail=reason.strip() or None)
    coded = _ENGINE_REFUSAL.match(message) if state == "22023" else None
    if coded is not None:  # error('DuckCDB 0A000: ...') in SQL the rewrites wrote (pgcompat.jsonb)
        return DbError(coded.group(1), coded.group(2), hint=(coded.group(3) or "").strip() or None)
    m = _TOO_MANY_VALUES.match(message) if state == "42601" else None
    if m is not None and int(m.group(2)) > int(m.group(1)):
        message, detail = "INSERT has more expressions than target columns", None
    if state == "53200":
        message = f"out of memory: {message}"
    if state == "53400":
        message = "temporary space of the PDB exceeds MAX_SHARED_TEMP_SIZE: " + message.split("\n")[0]
    if not isinstance(exc, duckdb.Error) and state == "XX000":
        message = f"internal error: {type(exc).__name__}: {message}"
    worded = _postgres_wording(state, message)
    if worded is not None:
        hint = "No function matches the given name and argument types." if state == "42883" else None
        return DbError(state, worded[0], detail=detail, hint=hint, objects=worded[1])
    return DbError(state, message, detail=detail)
