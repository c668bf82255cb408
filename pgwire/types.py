"""PostgreSQL type OIDs and the mapping between DuckDB type names and PostgreSQL types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from pgwire.errors import DbError

BOOL = 16
BYTEA = 17
CHAR = 18
NAME = 19
INT8 = 20
INT2 = 21
INT4 = 23
TEXT = 25
OID = 26
JSON = 114
FLOAT4 = 700
FLOAT8 = 701
UNKNOWN = 705
BPCHAR = 1042
VARCHAR = 1043
DATE = 1082
TIME = 1083
TIMESTAMP = 1114
TIMESTAMPTZ = 1184
INTERVAL = 1186
TIMETZ = 1266
NUMERIC = 1700
UUID = 2950
JSONB = 3802

JSON_ARRAY = 199
BOOL_ARRAY = 1000
BYTEA_ARRAY = 1001
CHAR_ARRAY = 1002
NAME_ARRAY = 1003
INT2_ARRAY = 1005
INT4_ARRAY = 1007
TEXT_ARRAY = 1009
BPCHAR_ARRAY = 1014
VARCHAR_ARRAY = 1015
INT8_ARRAY = 1016
FLOAT4_ARRAY = 1021
FLOAT8_ARRAY = 1022
OID_ARRAY = 1028
TIMESTAMP_ARRAY = 1115
DATE_ARRAY = 1182
TIME_ARRAY = 1183
TIMESTAMPTZ_ARRAY = 1185
INTERVAL_ARRAY = 1187
NUMERIC_ARRAY = 1231
TIMETZ_ARRAY = 1270
UUID_ARRAY = 2951
JSONB_ARRAY = 3807
VOID = 2278  # pg_notify()'s result
RECORD = 2249  # an anonymous row: ROW(1, 'a'), DuckDB's STRUCT
RECORD_ARRAY = 2287

PG_TYPE_NAMES: dict[int, str] = {
    BOOL: "bool",
    BYTEA: "bytea",
    CHAR: "char",
    NAME: "name",
    INT8: "int8",
    INT2: "int2",
    INT4: "int4",
    TEXT: "text",
    OID: "oid",
    JSON: "json",
    FLOAT4: "float4",
    FLOAT8: "float8",
    UNKNOWN: "unknown",
    BPCHAR: "bpchar",
    VARCHAR: "varchar",
    DATE: "date",
    TIME: "time",
    TIMESTAMP: "timestamp",
    TIMESTAMPTZ: "timestamptz",
    INTERVAL: "interval",
    TIMETZ: "timetz",
    NUMERIC: "numeric",
    UUID: "uuid",
    JSONB: "jsonb",
    JSON_ARRAY: "_json",
    BOOL_ARRAY: "_bool",
    BYTEA_ARRAY: "_bytea",
    CHAR_ARRAY: "_char",
    NAME_ARRAY: "_name",
    INT2_ARRAY: "_int2",
    INT4_ARRAY: "_int4",
    TEXT_ARRAY: "_text",
    BPCHAR_ARRAY: "_bpchar",
    VARCHAR_ARRAY: "_varchar",
    INT8_ARRAY: "_int8",
    FLOAT4_ARRAY: "_float4",
    FLOAT8_ARRAY: "_float8",
    OID_ARRAY: "_oid",
    TIMESTAMP_ARRAY: "_timestamp",
    DATE_ARRAY: "_date",
    TIME_ARRAY: "_time",
    TIMESTAMPTZ_ARRAY: "_timestamptz",
    INTERVAL_ARRAY: "_interval",
    NUMERIC_ARRAY: "_numeric",
    TIMETZ_ARRAY: "_timetz",
    UUID_ARRAY: "_uuid",
    JSONB_ARRAY: "_jsonb",
    RECORD: "record",
    VOID: "void",
    RECORD_ARRAY: "_record",
}

#: element OID -> array OID, and back.
ARRAY_OF: dict[int, int] = {
    BOOL: BOOL_ARRAY,
    BYTEA: BYTEA_ARRAY,
    CHAR: CHAR_ARRAY,
    NAME: NAME_ARRAY,
    INT2: INT2_ARRAY,
    INT4: INT4_ARRAY,
    TEXT: TEXT_ARRAY,
    BPCHAR: BPCHAR_ARRAY,
    VARCHAR: VARCHAR_ARRAY,
    INT8: INT8_ARRAY,
    FLOAT4: FLOAT4_ARRAY,
    FLOAT8: FLOAT8_ARRAY,
    OID: OID_ARRAY,
    TIMESTAMP: TIMESTAMP_ARRAY,
    DATE: DATE_ARRAY,
    TIME: TIME_ARRAY,
    TIMESTAMPTZ: TIMESTAMPTZ_ARRAY,
    INTERVAL: INTERVAL_ARRAY,
    NUMERIC: NUMERIC_ARRAY,
    TIMETZ: TIMETZ_ARRAY,
    UUID: UUID_ARRAY,
    JSON: JSON_ARRAY,
    JSONB: JSONB_ARRAY,
    RECORD: RECORD_ARRAY,
}
ELEMENT_OF: dict[int, int] = {arr: elem for elem, arr in ARRAY_OF.items()}

_TYPLEN: dict[int, int] = {
    BOOL: 1,
    CHAR: 1,
    NAME: 64,
    INT2: 2,
    INT4: 4,
    INT8: 8,
    OID: 4,
    FLOAT4: 4,
    FLOAT8: 8,
    DATE: 4,
    TIME: 8,
    TIMESTAMP: 8,
    TIMESTAMPTZ: 8,
    INTERVAL: 16,
    TIMETZ: 12,
    UUID: 16,
}


@dataclass(frozen=True)
class PgType:
    """A PostgreSQL column type as RowDescription reports it."""

    oid: int
    name: str
    typlen: int
    typmod: int = -1


def pg_type(oid: int, typmod: int = -1) -> PgType:
    """The PgType of a known OID (unknown OIDs get the name 'unknown')."""
    return PgType(oid, PG_TYPE_NAMES.get(oid, "unknown"), _TYPLEN.get(oid, -1), typmod)


def is_array(oid: int) -> bool:
    return oid in ELEMENT_OF


# DuckDB's own names (what str(DuckDBPyType) prints) plus the common aliases it accepts.
_SCALARS: dict[str, int] = {
    "BOOLEAN": BOOL,
    "BOOL": BOOL,
    "LOGICAL": BOOL,
    "TINYINT": INT2,
    "INT1": INT2,
    "UTINYINT": INT2,
    "SMALLINT": INT2,
    "INT2": INT2,
    "SHORT": INT2,
    "USMALLINT": INT4,
    "INTEGER": INT4,
    "INT": INT4,
    "INT4": INT4,
    "SIGNED": INT4,
    "UINTEGER": INT8,
    "BIGINT": INT8,
    "INT8": INT8,
    "LONG": INT8,
    "UBIGINT": NUMERIC,
    "HUGEINT": NUMERIC,
    "INT128": NUMERIC,
    "UHUGEINT": NUMERIC,
    "VARINT": NUMERIC,
    "BIGNUM": NUMERIC,
    "FLOAT": FLOAT4,
    "FLOAT4": FLOAT4,
    "REAL": FLOAT4,
    "DOUBLE": FLOAT8,
    "FLOAT8": FLOAT8,
    "DECIMAL": NUMERIC,
    "NUMERIC": NUMERIC,
    "VARCHAR": TEXT,
    "TEXT": TEXT,
    "STRING": TEXT,
    "CHAR": TEXT,
    "BPCHAR": TEXT,
    "BLOB": BYTEA,
    "BYTEA": BYTEA,
    "BINARY": BYTEA,
    "VARBINARY": BYTEA,
    "DATE": DATE,
    "TIME": TIME,
    "TIME_NS": TIME,
    "TIMESTAMP": TIMESTAMP,
    "DATETIME": TIMESTAMP,
    "TIMESTAMP_NS": TIMESTAMP,
    "TIMESTAMP_MS": TIMESTAMP,
    "TIMESTAMP_S": TIMESTAMP,
    "TIMESTAMP WITH TIME ZONE": TIMESTAMPTZ,
    "TIMESTAMPTZ": TIMESTAMPTZ,
    "TIME WITH TIME ZONE": TIMETZ,
    "TIMETZ": TIMETZ,
    "INTERVAL": INTERVAL,
    "UUID": UUID,
    "JSON": JSON,
}

# DuckDB types whose Arrow form is not their text (or loses information): the server should CAST
# such columns to VARCHAR in SQL; the codec then sends that text under the PgType chosen here.
_NEEDS_VARCHAR = (
    "BIT",
    "BITSTRING",
    "VARINT",
    "BIGNUM",
    "TIME WITH TIME ZONE",
    "TIMETZ",
    "UNION",
    "GEOMETRY",
)

_DECIMAL_RE = re.compile(r"^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$")
_ARRAY_SUFFIX_RE = re.compile(r"\[(\d*)\]$")


# PostgreSQL's unconstrained numeric as DuckDB stores it (pgcompat.numeric says why): DuckDB's
# widest decimal, with this scale. A column declared numeric(38,10) is taken for one.
UNCONSTRAINED_NUMERIC_PRECISION = 38
UNCONSTRAINED_NUMERIC_SCALE = 10
UNCONSTRAINED_NUMERIC = f"DECIMAL({UNCONSTRAINED_NUMERIC_PRECISION},{UNCONSTRAINED_NUMERIC_SCALE})"


def is_unconstrained_numeric(precision: int, scale: int) -> bool:
    return precision == UNCONSTRAINED_NUMERIC_PRECISION and scale == UNCONSTRAINED_NUMERIC_SCALE


# PostgreSQL's numeric quotients (numeric division, avg of integers and numerics: engine.pgmath)
# as DuckDB holds them: 18 digits before the point, 20 after (1::numeric/3 has 20).
QUOTIENT_PRECISION = 38
QUOTIENT_SCALE = 20
QUOTIENT_TYPE = f"DECIMAL({QUOTIENT_PRECISION},{QUOTIENT_SCALE})"


def is_bare_numeric(precision: int, scale: int) -> bool:
    """Whether a DuckDB decimal result is sent as PostgreSQL's bare numeric (typmod -1, each value
    without the fixed scale's trailing zeros): an unconstrained numeric, and what arithmetic on
    it gives (DuckDB widens the scale: numeric * numeric is DECIMAL(38,20), as is a quotient)."""
    return precision == UNCONSTRAINED_NUMERIC_PRECISION and scale >= UNCONSTRAINED_NUMERIC_SCALE


def numeric_fits(value: Decimal) -> bool:
    """Whether a finite value is stored exactly as an unconstrained numeric."""
    _, digits, exp = value.as_tuple()
    assert isinstance(exp, int)
    if not any(digits):
        return True
    end = len(digits)
    while exp < 0 and end > 1 and digits[end - 1] == 0:  # trailing zeros of the fraction do not count
        end -= 1
        exp += 1
    significant = digits[:end]
    frac = max(0, -exp)
    whole = max(0, len(significant) + exp)
    return (
        frac <= UNCONSTRAINED_NUMERIC_SCALE
        and whole <= UNCONSTRAINED_NUMERIC_PRECISION - UNCONSTRAINED_NUMERIC_SCALE
    )


# The engine's macro (engine.pgdates) for date_trunc's argument: a DATE as TIMESTAMPTZ
# (pgcompat.pg_dates writes the calls).
DATE_TRUNC_ARG = "__pg_trunc_arg"
# The engine's macro (engine.pgdates) for an untyped literal compared with a column:
# (column, its reading as timestamp, timestamptz, date, time, timetz, the literal as written),
# the reading of the column's type (pgcompat.datetime_literals.compared_literals writes the calls).
DATETIME_LITERAL = "__pg_dt_literal"
# The order of those readings (pgcompat.datetime_literals.readings' kinds).
DATETIME_KINDS = ("timestamp", "timestamptz", "date", "time", "timetz")

# How every refusal of a value DuckDB would round ends (engine.errors maps it to 22003).
NOT_ROUNDED = "it is refused, not rounded"

# A value's text as PostgreSQL's output function writes it (concat(), format(), octet_length()):
# pgcompat casts the value to this DuckDB spelling of VARCHAR, which no PostgreSQL client writes,
# so that the engine can give a char(n) column's value there blank-padded (engine.bpchar), as
# PostgreSQL's output of bpchar is, where a cast to text or varchar strips the blanks.
OUTPUT_TEXT = "STRING"


def require_exact_numeric(value: Decimal) -> None:
    """22003 for a finite value an unconstrained numeric cannot hold without rounding."""
    if value.is_finite() and not numeric_fits(value):
        whole = UNCONSTRAINED_NUMERIC_PRECISION - UNCONSTRAINED_NUMERIC_SCALE
        raise DbError(
            "22003",
            f'numeric value "{value}" does not fit DuckCDB\'s unconstrained numeric ({UNCONSTRAINED_NUMERIC}: '
            f"at most {whole} digits before the decimal point and {UNCONSTRAINED_NUMERIC_SCALE} after); "
            + NOT_ROUNDED,
        )


#: typmod of numeric(p, s): ((p << 16) | s) + VARHDRSZ.
def numeric_typmod(precision: int, scale: int) -> int:
    return ((precision << 16) | scale) + 4


def _split_array(type_str: str) -> tuple[str, int]:
    """'INTEGER[][3]' -> ('INTEGER', 2): the innermost element type and the nesting depth."""
    depth = 0
    while True:
        m = _ARRAY_SUFFIX_RE.search(type_str)
        if m is None:
            return type_str, depth
        type_str = type_str[: m.start()].rstrip()
        depth += 1


def _scalar_pg_type(type_str: str) -> PgType | None:
    upper = type_str.strip().upper()
    oid = _SCALARS.get(upper)
    if oid is not None:
        return pg_type(oid)
    m = _DECIMAL_RE.match(upper)
    if m:
        precision = int(m.group(1))
        scale = int(m.group(2) or 0)
        if is_bare_numeric(precision, scale):
            return pg_type(NUMERIC)  # PostgreSQL's bare numeric: typmod -1
        return pg_type(NUMERIC, numeric_typmod(precision, scale))
    if upper.startswith(("STRUCT(", "TUPLE(")):
        return pg_type(RECORD)  # sent in record_out's text form: (1,a)
    # DuckDB has one string type; PostgreSQL's clients know it best as text (25).
    if upper.startswith("ENUM("):
        return pg_type(TEXT)
    if upper.startswith(("VARCHAR(", "CHAR(", "TEXT(")):
        return pg_type(TEXT)
    return None


@lru_cache(maxsize=1024)
def pg_type_for_duckdb(type_str: str) -> PgType:
    """The PostgreSQL type a DuckDB column of this type is described and sent as.

    Lists and fixed-size arrays become arrays of the innermost element's type; anything without a
    PostgreSQL counterpart (STRUCT, MAP, UNION, BIT, ...) becomes text.
    """
    element, depth = _split_array(type_str.strip())
    scalar = _scalar_pg_type(element)
    if scalar is None:
        return pg_type(TEXT)
    if depth == 0:
        return scalar
    array_oid = ARRAY_OF.get(scalar.oid)
    if array_oid is None:
        return pg_type(TEXT)
    return pg_type(array_oid, scalar.typmod)


def text_cast_required(type_str: str) -> bool:
    """Whether a DuckDB column of this type should be CAST to VARCHAR before encoding.

    True for types whose Arrow form is not their text (BIT, BIGNUM, TIME WITH TIME ZONE, UNION, ...)
    and for every other type that is sent as text for want of a PostgreSQL counterpart (STRUCT, MAP),
    so that clients see DuckDB's own rendering. ENUM needs no cast (its dictionary is its text).
    """
    upper = type_str.strip().upper()
    element, _ = _split_array(upper)
    if element.startswith(_NEEDS_VARCHAR) or any(
        tok in upper for tok in ("UNION(", "BIT", "BIGNUM", "VARINT")
    ):
        return True
    return _scalar_pg_type(element) is None


# PG parameter type -> DuckDB type to CAST the parameter to. NUMERIC maps to None on purpose: the
# decoded Decimal binds with its own precision and scale, which no single DECIMAL(p,s) keeps.
_DUCKDB_FOR_OID: dict[int, str] = {
    BOOL: "BOOLEAN",
    BYTEA: "BLOB",
    CHAR: "VARCHAR",
    NAME: "VARCHAR",
    INT8: "BIGINT",
    INT2: "SMALLINT",
    INT4: "INTEGER",
    TEXT: "VARCHAR",
    OID: "UINTEGER",
    JSON: "JSON",
    JSONB: "JSON",
    FLOAT4: "FLOAT",
    FLOAT8: "DOUBLE",
    BPCHAR: "VARCHAR",
    VARCHAR: "VARCHAR",
    DATE: "DATE",
    TIME: "TIME",
    TIMESTAMP: "TIMESTAMP",
    TIMESTAMPTZ: "TIMESTAMPTZ",
    INTERVAL: "INTERVAL",
    TIMETZ: "TIMETZ",
    UUID: "UUID",
}


def duckdb_type_for_oid(oid: int) -> str | None:
    """The DuckDB type to CAST a parameter of this PostgreSQL type to, or None to bind it as decoded.

    None for 0/unspecified, unknown OIDs and NUMERIC (its Decimal carries its own precision/scale).
    Arrays map to their element's type with '[]' (numeric[] -> None).
    """
    elem = ELEMENT_OF.get(oid)
    if elem is not None:
        inner = _DUCKDB_FOR_OID.get(elem)
        return None if inner is None else inner + "[]"
    return _DUCKDB_FOR_OID.get(oid)


# DuckDB keeps no length for varchar(n) / char(n): a CHECK of this shape stands for it (written by
# pgcompat.lengths, read back by the catalog emulation, and recognized in the engine's constraint
# errors as 22001). Groups: the column of a varchar(n), the column of a char(n) (one of the two is
# empty), n. The column is bare when it is a plain ASCII name and no keyword, else quoted.
_LENGTH_COLUMN = r'"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_]*'
LENGTH_CHECK_SHAPE = rf"\(len\((?:({_LENGTH_COLUMN})|CAST\(({_LENGTH_COLUMN}) AS BPCHAR\))\) <= (\d+)\)"
# The same CHECK in a table's SQL (duckdb_tables().sql): CHECK((...)), then a comma or the
# closing parenthesis of the column list.
LENGTH_CHECK_IN_SQL = r"CHECK\(" + LENGTH_CHECK_SHAPE + r"\)[,)]"

# DuckDB's JSON is PostgreSQL's json and jsonb alike: a column declared jsonb gets a CHECK of this
# shape (always true: typeof() is 'JSON'), which says so (written by pgcompat.lengths, read back by
# the catalog emulation and engine.declared: the column is jsonb, OID 3802). Group: the column.
JSONB_CHECK_SHAPE = rf"\(typeof\(({_LENGTH_COLUMN})\) != 'jsonb'\)"
JSONB_CHECK_IN_SQL = r"CHECK\(" + JSONB_CHECK_SHAPE + r"\)[,)]"


def length_check(column: str, oid: int, n: int) -> str:
    """The CHECK that stands for varchar(n) (oid VARCHAR) or char(n) (BPCHAR): column as DuckDB
    should read it. varchar's is the cheapest check DuckDB binds (duckdb_constraints() binds every
    CHECK of every table each time the catalog is read, some 13 us for this one); char's is marked
    by its CAST."""
    if oid == BPCHAR:
        return f"CHECK (len(CAST({column} AS BPCHAR)) <= {n})"
    return f"CHECK (len({column}) <= {n})"


def jsonb_check(column: str) -> str:
    """The CHECK that says a column is jsonb: DuckDB's JSON is json and jsonb alike, and keeps no
    alias of it. Always true (typeof() is a constant 'JSON')."""
    return f"CHECK (typeof({column}) <> 'jsonb')"


# ---------------------------------------------------------------- parameters typed by a literal

# An untyped parameter beside a number literal takes its type, as in PostgreSQL ($1 + 1 is int4):
# pgcompat.param_types writes the cast in this form. Where the client declared the parameter's
# type itself in Parse, the engine casts it to that type instead when it is a number type (psycopg's
# float is float8: 1e308 / $1 is a float8 division, whose overflow is checked), and drops the cast
# otherwise (a numeric 0.125 in $1 * 2 is 0.25, not 0).
_LITERAL_TYPED = re.compile(r"CAST\(\( \$(\d+) \) AS (?:INTEGER|BIGINT|DECIMAL\(38,10\))\)")
# A parameter alone as an operand of + - * (pgcompat.result_types.picked_by): the argument that
# picks the engine's overload is __pg_ptype($n, other), the other operand's type (PostgreSQL's
# unknown); where the client declared $n a number type, the engine makes it __pg_ptyped(CAST($n AS
# type), other): the declared type picks ($1 + $2 of two float8 is a float8 sum, checked).
PARAM_PICK = "__pg_ptype"  # engine.pgmath: (p, other) AS other
PARAM_PICKED = "__pg_ptyped"  # engine.pgmath: (p, other) AS p
_PARAM_PICK = re.compile(r"__pg_ptype\(\$(\d+), ")
# the declared number types, as DuckDB spells them (numeric: the unconstrained numeric, whose
# parameters are refused where they would round: engine.session._exact_numeric)
_NUMBER_PARAMS = {
    INT2: "SMALLINT",
    INT4: "INTEGER",
    INT8: "BIGINT",
    FLOAT4: "FLOAT",
    FLOAT8: "DOUBLE",
    NUMERIC: UNCONSTRAINED_NUMERIC,
}


# the declared types a literal-implied cast becomes: PostgreSQL's type of $n op literal, where
# DuckDB keeps SMALLINT + 1 and FLOAT + 1 in their own type (an int2 keeps the literal's cast:
# int2 + int4 is an int4; a float4 beside any number literal is a float8)
_LITERAL_DECLARED = {**_NUMBER_PARAMS, FLOAT4: "DOUBLE"}


def literal_typed_param(param: str, type_name: str) -> str:
    """$n cast to the type a number literal beside it gives it (param: "$1")."""
    return f"CAST(( {param} ) AS {type_name})"


def declared_params(sql: str, param_oids: list[int]) -> str:
    """sql with the parameters the client gave a type typed by it: the literal-implied casts and
    the overload picks of a lone parameter take the declared number type (the literal-implied cast
    is dropped for any other declared type)."""
    if "CAST(( $" not in sql and PARAM_PICK not in sql:
        return sql

    def declared(m: re.Match[str]) -> tuple[int, int]:
        n = int(m.group(1))
        return n, (param_oids[n - 1] if 0 < n <= len(param_oids) else 0)

    def keep(m: re.Match[str]) -> str:
        n, oid = declared(m)
        if not oid:
            return m.group(0)
        if oid == INT2:
            return m.group(0)
        typed = _LITERAL_DECLARED.get(oid)
        return f"${n}" if typed is None else literal_typed_param(f"${n}", typed)

    def pick(m: re.Match[str]) -> str:
        n, oid = declared(m)
        typed = _NUMBER_PARAMS.get(oid)
        return m.group(0) if typed is None else f"{PARAM_PICKED}(CAST(${n} AS {typed}), "

    return _PARAM_PICK.sub(pick, _LITERAL_TYPED.sub(keep, sql))
