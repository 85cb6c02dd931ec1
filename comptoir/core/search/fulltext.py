"""Full-text indexes on `search_text`: SQLite FTS5 (external content) or PostgreSQL GIN."""

from django.db import migrations


def fts_table(table: str) -> str:
    return f"{table}_fts"


def _create(table: str):
    def forward(apps, schema_editor):
        conn = schema_editor.connection
        with conn.cursor() as cursor:
            if conn.vendor == "sqlite":
                fts = fts_table(table)
                cursor.execute(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
                    f"search_text, content='{table}', content_rowid='id', "
                    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
                )
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN "
                    f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END"
                )
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN "
                    f"INSERT INTO {fts}({fts}, rowid, search_text) "
                    f"VALUES ('delete', old.id, old.search_text); END"
                )
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF search_text ON {table} "
                    f"BEGIN INSERT INTO {fts}({fts}, rowid, search_text) "
                    f"VALUES ('delete', old.id, old.search_text); "
                    f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END"
                )
            else:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {table}_fts_idx ON {table} "
                    f"USING gin (to_tsvector('simple', search_text))"
                )

    def backward(apps, schema_editor):
        conn = schema_editor.connection
        with conn.cursor() as cursor:
            if conn.vendor == "sqlite":
                fts = fts_table(table)
                for suffix in ("ai", "ad", "au"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
                cursor.execute(f"DROP TABLE IF EXISTS {fts}")
            else:
                cursor.execute(f"DROP INDEX IF EXISTS {table}_fts_idx")

    return forward, backward


def create_fulltext_index(table: str) -> migrations.RunPython:
    forward, backward = _create(table)
    return migrations.RunPython(forward, backward)


def stored_search_vector(table: str) -> migrations.RunPython:
    """PostgreSQL: keep the tsvector in a generated column instead of an expression index.

    With only `to_tsvector(search_text)` indexed, the planner may walk the primary key and
    compute to_tsvector for every row it passes (measured: 350 ms for one name at 1M
    contacts). A stored column makes that check a cheap comparison.
    """

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {table}_fts_idx")
            cursor.execute(
                f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector "
                f"GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_search_vector_idx ON {table} "
                "USING gin (search_vector)"
            )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_fts_idx ON {table} "
                "USING gin (to_tsvector('simple', search_text))"
            )

    return migrations.RunPython(forward, backward)
