"""PostgreSQL wire codec for DuckDB results and parameters.

RowEncoder turns Arrow RecordBatches into DataRow messages (text or binary format per column),
decode_param turns Bind parameters into Python values DuckDB binds, copy_in_to_arrow parses
COPY FROM STDIN data; oids maps DuckDB types to PostgreSQL types and back.
"""

from engine.codec.copy import copy_in_to_arrow
from engine.codec.errors import CodecError, CopyError, EncodeError, ParamError
from engine.codec.params import decode_param, register_decoder
from engine.codec.registry import binary_supported, get_encoder, register_encoder
from engine.codec.rows import RowEncoder
from engine.codec.text import EncodeContext
from pgwire import types as oids
from pgwire.types import (
    PG_TYPE_NAMES,
    PgType,
    duckdb_type_for_oid,
    pg_type,
    pg_type_for_duckdb,
    text_cast_required,
)

__all__ = [
    "PG_TYPE_NAMES",
    "CodecError",
    "CopyError",
    "EncodeContext",
    "EncodeError",
    "ParamError",
    "PgType",
    "RowEncoder",
    "binary_supported",
    "copy_in_to_arrow",
    "decode_param",
    "duckdb_type_for_oid",
    "get_encoder",
    "oids",
    "pg_type",
    "pg_type_for_duckdb",
    "register_decoder",
    "register_encoder",
    "text_cast_required",
]
