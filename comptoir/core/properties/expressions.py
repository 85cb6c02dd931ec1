"""PropValue: one property as a SQL expression, wherever the value is stored.

JSON keys are written into the SQL as validated literals (json_extract(..., '$.tier'),
properties ->> 'tier') rather than bound parameters, so that SQLite and PostgreSQL
can use the expression indexes built for them. Django's `properties__tier` lookups bind
the path and never use an index: nobody outside this package writes them.
"""

import re

from django.db.models import F, Func
from django.db.models.functions import Lower

from comptoir.core.properties.kinds import kind_for

SAFE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


class PropValue(Func):
    """The JSON-stored value of property `name` on the current row."""

    def __init__(self, name: str, kind: str = "string"):
        if not SAFE_NAME.match(name):
            raise ValueError(f"unsafe property name {name!r}")
        self.name = name
        self.kind = kind_for(kind)
        super().__init__(F("properties"), output_field=self.kind.output_field())

    def as_sqlite(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return self.kind.json_sql(column, self.name, "sqlite"), params

    def as_postgresql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return self.kind.json_sql(column, self.name, "postgresql"), params

    def as_sql(self, compiler, connection, **extra):  # other backends are unsupported
        raise NotImplementedError(f"PropValue does not support {connection.vendor}")


def prop_expression(ot, defn):
    """The raw value expression of a property (column or JSON key)."""
    if defn.column:
        return F("pk" if defn.column == "id" else defn.column)
    return PropValue(defn.name, defn.type)


def is_case_insensitive(defn) -> bool:
    """String values compare and sort case-insensitively (enumerations do not)."""
    return defn.kind.free_text


# Properties stored lower-cased already, so LOWER() is unnecessary (and would skip indexes).
STORED_LOWER = {
    "email",
    "domain",
    "hs_email_domain",
    "hs_additional_emails",
    "hs_additional_domains",
}


SQLITE_LOWER = "comptoir_lower"


def _sqlite_lower(value):
    return None if value is None else str(value).lower()


SQLITE_FOLD = "comptoir_fold"
# comptoir_fts_paused('<fts table>'): 1 while this connection's bulk write path fills that
# substring index itself (`substring_indexes.filled_in_bulk`), which the index's insert
# trigger then skips. Per connection: every other connection's triggers fire as usual.
SQLITE_FTS_PAUSED = "comptoir_fts_paused"


def _case_classes() -> dict[int, int]:
    """{character: representative} for the characters a case-insensitive Python regular
    expression takes as equal although str.lower() keeps them apart (dotless i and i,
    long s and s, final sigma and sigma...): re's own table of extra cases, each class
    mapped to its smallest member."""
    from re import _casefix  # the table re compiles IGNORECASE literals with

    classes = {}
    for code, extras in _casefix._EXTRA_CASES.items():
        members = {code, *extras}
        for other in list(members):
            members |= set(_casefix._EXTRA_CASES.get(other, ()))
        classes[code] = min(members)
    return classes


_FOLD_TABLE = _case_classes()


def substring_fold(value) -> str | None:
    """The text a substring index holds and looks up (comptoir.core.properties.
    substring_indexes): lower-cased as the compiler's comparable expression is, then every
    character a case-insensitive regular expression matches interchangeably written the
    same, so that whatever the exact CONTAINS_TOKEN regex finds, the index finds too."""
    if value is None:
        return None
    lowered = str(value).lower()
    # The table maps no ASCII character but to itself (test_substring_indexes checks it):
    # ASCII text, most of it, skips the per-character lookups (16x faster on an address).
    return lowered if lowered.isascii() else lowered.translate(_FOLD_TABLE)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """On every new SQLite connection (connection_created): indexes are built on
    comptoir_lower() and the substring indexes' triggers call comptoir_fold() and
    comptoir_fts_paused(), so every connection that writes those tables must know them.
    `connection.fts_paused`: the FTS tables this connection's bulk writes fill themselves."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_LOWER, 1, _sqlite_lower, deterministic=True)
        connection.connection.create_function(SQLITE_FOLD, 1, substring_fold, deterministic=True)
        paused: set[str] = set()
        connection.fts_paused = paused
        # Not deterministic: the answer changes between statements of one connection.
        connection.connection.create_function(
            SQLITE_FTS_PAUSED, 1, lambda name: name in paused, deterministic=False
        )


class UnicodeLower(Lower):
    """LOWER() folding every letter, as Python's str.lower() does with filter values.

    SQLite's built-in lower() folds ASCII only ("LEFÈVRE" → "lefÈvre"), so on SQLite this
    calls comptoir_lower(), a Python function registered on each connection. PostgreSQL's
    lower() already folds Unicode letters.
    """

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function=SQLITE_LOWER, **extra)


def lower_sql(sql: str, vendor: str) -> str:
    """The same folding in hand-written SQL (index definitions)."""
    return f"{SQLITE_LOWER}({sql})" if vendor == "sqlite" else f"LOWER({sql})"


def comparable_expression(ot, defn):
    """The expression filters and sorts use: LOWER(...) for free text."""
    expr = prop_expression(ot, defn)
    if is_case_insensitive(defn) and defn.name not in STORED_LOWER:
        return UnicodeLower(expr)
    return expr


class NotIndexed(Func):
    """`+x` on SQLite: the same value, but the planner may not answer the term from an index.

    When a filter matches many rows and the page is sorted, walking the sort index and
    checking each row beats fetching every match through the filter's index and sorting
    them all; SQLite cannot see that on its own. PostgreSQL plans this well: no-op there.
    """

    template = "%(expressions)s"

    def __init__(self, expression):
        super().__init__(expression, output_field=getattr(expression, "output_field", None))

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"+({sql})", params
