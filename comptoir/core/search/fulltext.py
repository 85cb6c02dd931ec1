"""Full-text indexes on `search_text`: SQLite FTS5 (external content) or PostgreSQL GIN."""

from django.db import migrations

from comptoir.core.search.text import query_tokens


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


def fulltext_condition(table: str, vendor: str, query: str) -> tuple[str, list] | None:
    """SQL condition `(sql, params)` matching every query token as a prefix, or None."""
    words = query_tokens(query)
    if not words:
        return None
    if vendor == "sqlite":
        fts = fts_table(table)
        match = " ".join(f'"{w}"*' for w in words)
        return f'"{table}"."id" IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)', [match]
    tsquery = " & ".join(f"{w}:*" for w in words)
    return f"to_tsvector('simple', \"{table}\".\"search_text\") @@ to_tsquery('simple', %s)", [
        tsquery
    ]
