"""Lists of ids in one value. A list of ids as one parameter of a statement: `id_in(column)` stands for
`column IN (the ids)`, the ids given under "ids" (e.g. `{"ids": [3, 5, 8]}`). And the ids of each group of a
GROUP BY read back as one list: `ids_of(column)` (below).

Why not `column.in_(bindparam("ids", expanding=True))`: an expanding parameter is rendered into one
placeholder per id on every execution, so a statement of the 74 cards of a district sheet had 74
parameters, each rendered by SQLAlchemy and parsed again by psycopg (about 1 ms of the client's CPU per
query on PostgreSQL), and planned by PostgreSQL as 74 parameters. Here the statement's text is the same
whatever the number of ids: PostgreSQL gets one integer array (`column = ANY(%(ids)s::INTEGER[])`),
SQLite one JSON text read by json_each (`column IN (SELECT value FROM json_each(?))`, searched through
the same index as an IN list; SQLite's JSON functions are built in since 3.38 and in the Debian and
Ubuntu builds before it), and the drivers' statement caches find the text again.
"""

from __future__ import annotations

import json

from sqlalchemy import Integer, String, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType, TypeDecorator


class _Ids(TypeDecorator):
    """The ids as PostgreSQL's integer array or, anywhere else, as a JSON array."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(Integer))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value, dialect):
        ids = [int(i) for i in value]
        return ids if dialect.name == "postgresql" else json.dumps(ids)


class _IdIn(FunctionElement):
    """`column IN (the ids)`, rendered for each database below."""

    type = NullType()
    inherit_cache = True
    name = "id_in"


def id_in(column, name: str = "ids") -> _IdIn:
    """`column IN` the ids given under `name` (a list or set of ints)."""
    return _IdIn(column, bindparam(name, type_=_Ids()))


@compiles(_IdIn)
def _json_each(element, compiler, **kw) -> str:
    column, ids = element.clauses
    # A compiled column and a bound parameter: no value is written into the SQL.
    return f"{compiler.process(column, **kw)} IN (SELECT value FROM json_each({compiler.process(ids, **kw)}))"  # nosec B608


@compiles(_IdIn, "postgresql")
def _any(element, compiler, **kw) -> str:
    column, ids = element.clauses
    return f"{compiler.process(column, **kw)} = ANY({compiler.process(ids, **kw)})"


class _IdList(TypeDecorator):
    """A group's ids read back as a list of ints: PostgreSQL gives an array (a list already), SQLite a text of
    comma-separated ids."""

    impl = String
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is None:
            return []
        return value if isinstance(value, list) else [int(i) for i in value.split(",")]


class _IdsOf(FunctionElement):
    """The ids of a group, rendered for each database below."""

    type = _IdList()
    inherit_cache = True
    name = "ids_of"


def ids_of(column) -> _IdsOf:
    """The values of `column` (ids) in each group of a GROUP BY, as one list of ints: one row a group instead
    of one a member (a district's 600 to 1,800 (organisation, category) pairs are 20-odd categories)."""
    return _IdsOf(column)


@compiles(_IdsOf)
def _group_concat(element, compiler, **kw) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)})"


@compiles(_IdsOf, "postgresql")
def _array_agg(element, compiler, **kw) -> str:
    return f"array_agg({compiler.process(element.clauses, **kw)})"
