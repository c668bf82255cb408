"""The PostgreSQL catalog shim: what psql, JDBC, SQLAlchemy and BI tools ask the catalog for,
written as DuckDB SQL over DuckDB's own catalog functions (duckdb_tables(), duckdb_columns(), ...).

Nothing is installed in the session: creating DuckDB objects costs about 0.2 ms a statement, and
a shim of some sixty views and macros would make every connection 10-15 ms slower (views would
not plan any faster either: DuckDB binds a view's SELECT at each use). Instead the statement
rewrite (pgcompat/catalog_rewrites.py) replaces each catalog relation a client names with the SELECT
below (`RELATIONS`, built from the named `BLOCKS`) and each catalog function with the expression
its template builds (`FUNCTIONS`), once per distinct statement text. The SQL only reads the
connected PDB's own catalog (`current_database()`) and the session's temporary objects, so
nothing about another PDB, nor any file path, can show through.

How DuckDB objects appear:
- schema `main` is `public`; the session's temporary schema is `pg_temp_1`; information_schema
  is PostgreSQL's (INFO_RELATIONS), not DuckDB's own, which says `main`;
- every object is owned by the connected user (oid 10): DuckDB has no owners;
- PRIMARY KEY and UNIQUE constraints get the index PostgreSQL would give them (`t_pkey`, ...);
  DuckDB's ART indexes are reported as btree and tables as heap, the access methods PostgreSQL
  clients know;
- column types are the PostgreSQL types the wire codec sends them as (VARCHAR is text: DuckDB
  2.0 keeps no length, not in duckdb_columns() nor in the table's SQL), but for a column with
  the length CHECK policies/lengths.py writes for varchar(n) / char(n): that is
  `character varying(n)` / `character(n)` (atttypmod n + 4), and the CHECK is no constraint of
  its own; what DuckDB has no counterpart for (sizes, ACLs, triggers, policies, partitions,
  publications) is empty or NULL;
- pg_proc has the PDB's macros, and DuckDB's aggregates as pg_catalog's (pg_aggregate);
- pg_depend links each PRIMARY KEY / UNIQUE index to its constraint.
"""

from __future__ import annotations

from pgcompat.shim.blocks import BLOCKS, expand, with_entries
from pgcompat.shim.functions import (
    FUNCTIONS,
    KEYWORDS,
    REG_CASTS,
    TABLE_FUNCTION_TEMPLATES,
    TABLE_FUNCTIONS,
    TYPE_MAP,
)
from pgcompat.shim.info_schema import INFO_RELATIONS, info_block
from pgcompat.shim.relations import RELATIONS, SYS_CLASS_BLOCK
from pgcompat.shim.sql import CATALOG_OIDS, lit, ref, string_value

__all__ = [
    "BLOCKS",
    "CATALOG_OIDS",
    "FUNCTIONS",
    "INFO_RELATIONS",
    "KEYWORDS",
    "REG_CASTS",
    "RELATIONS",
    "SYS_CLASS_BLOCK",
    "TABLE_FUNCTIONS",
    "TABLE_FUNCTION_TEMPLATES",
    "TYPE_MAP",
    "expand",
    "info_block",
    "lit",
    "ref",
    "string_value",
    "with_entries",
]
