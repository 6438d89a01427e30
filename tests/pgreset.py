"""Emptying this worker's migrated PostgreSQL schema between tests, without re-importing the
shipped content each time.

Every PostgreSQL ``db_app`` starts from the state ``flask init`` leaves: empty tables plus the
shipped content and the import's audit entry (the SQLite tests copy a template in that
state). Importing the content takes about 0.17 s, the emptying 0.06 s, so after the first
import the content tables (and the import's audit entries) are kept, and a fingerprint of
them (every row and their id sequences) tells whether a test changed them: if it did, the
schema is emptied and the content imported again, as before. Either way each test sees the
same rows, ids and next ids.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, create_engine, text

# Tables the import fills, and the audit log (whose first entries the import wrote).
KEPT = (
    "audit_event",
    "content_item",
    "content_language",
    "content_revision",
    "content_version",
    "helpline",
)

EMPTY_ALL = """
DO $$
DECLARE names text;
BEGIN
  SELECT string_agg(quote_ident(tablename), ', ') INTO names
    FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version';
  IF names IS NOT NULL THEN
    EXECUTE 'TRUNCATE ' || names || ' RESTART IDENTITY CASCADE';
  END IF;
END $$;
"""

# Tables a kept table points at (staff_user, through an author or actor id) cannot be
# truncated while the kept ones stay; their rows are deleted (the kept rows match the
# import's, which point at none) and their id sequences restarted.
EMPTY_ALL_BUT_KEPT = """
DO $$
DECLARE
  kept text[] := ARRAY[{kept}];
  referenced text[];
  names text;
  t text;
  seq text;
BEGIN
  SELECT coalesce(array_agg(DISTINCT target.relname::text), ARRAY[]::text[]) INTO referenced
    FROM pg_constraint c
    JOIN pg_class source ON source.oid = c.conrelid
    JOIN pg_class target ON target.oid = c.confrelid
    JOIN pg_namespace n ON n.oid = source.relnamespace
   WHERE c.contype = 'f' AND n.nspname = current_schema()
     AND source.relname = ANY(kept) AND NOT target.relname = ANY(kept);
  SELECT string_agg(quote_ident(tablename), ', ') INTO names
    FROM pg_tables
   WHERE schemaname = current_schema() AND tablename <> 'alembic_version'
     AND NOT tablename = ANY(kept) AND NOT tablename = ANY(referenced);
  IF names IS NOT NULL THEN
    EXECUTE 'TRUNCATE ' || names || ' RESTART IDENTITY';
  END IF;
  FOREACH t IN ARRAY referenced LOOP
    EXECUTE 'DELETE FROM ' || quote_ident(t);
    seq := pg_get_serial_sequence(quote_ident(t), 'id');
    IF seq IS NOT NULL THEN
      EXECUTE 'ALTER SEQUENCE ' || seq || ' RESTART';
    END IF;
  END LOOP;
END $$;
""".format(kept=", ".join(f"'{name}'" for name in KEPT))  # noqa: S608 (constants only)


def _fingerprint(connection: Connection) -> str:
    """A digest of every kept row and of the kept tables' id sequences."""
    parts = [
        f"(SELECT coalesce(string_agg(t::text, '|' ORDER BY t.id), '') FROM {name} t)"  # noqa: S608
        for name in KEPT
    ]
    parts.append(  # the kept tables' id sequences (the others are restarted anyway)
        "(SELECT coalesce(string_agg(s.sequencename || ':' || coalesce(s.last_value, 0), ','"
        " ORDER BY s.sequencename), '') FROM pg_sequences s"
        " WHERE s.schemaname = current_schema() AND quote_ident(s.schemaname) || '.' ||"
        " quote_ident(s.sequencename) IN (SELECT pg_get_serial_sequence(quote_ident(t), 'id')"
        " FROM unnest(CAST(:kept AS text[])) AS t))"
    )
    query = text("SELECT md5(" + " || ".join(parts) + ")")
    return str(connection.execute(query, {"kept": list(KEPT)}).scalar_one())


class SchemaReset:
    """One per worker schema: what the import left, to compare each test's leftovers with."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.fingerprint: str | None = None
        self.imported_audit_ids = 0

    def reset(self, seed: Callable[[], None]) -> None:
        """Empty the schema to the imported state; ``seed`` imports the content when the
        kept tables cannot be reused."""
        engine = create_engine(self.url)
        try:
            if self.fingerprint is not None:
                with engine.begin() as connection:
                    self._drop_later_audit(connection)
                    if _fingerprint(connection) == self.fingerprint:
                        connection.exec_driver_sql(EMPTY_ALL_BUT_KEPT)
                        return
            with engine.begin() as connection:
                connection.exec_driver_sql(EMPTY_ALL)
            seed()
            with engine.begin() as connection:
                self.imported_audit_ids = int(
                    connection.execute(
                        text("SELECT coalesce(max(id), 0) FROM audit_event")
                    ).scalar_one()
                )
                self.fingerprint = _fingerprint(connection)
        finally:
            engine.dispose()

    def _drop_later_audit(self, connection: Connection) -> None:
        """Audit entries after the import's go, and their ids may be used again."""
        connection.execute(
            text("DELETE FROM audit_event WHERE id > :last"), {"last": self.imported_audit_ids}
        )
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('audit_event', 'id'), :last, :called)"),
            {"last": max(self.imported_audit_ids, 1), "called": self.imported_audit_ids > 0},
        )
