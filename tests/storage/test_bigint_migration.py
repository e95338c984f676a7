"""Migration 0011 on a populated team server: integer ids become 64-bit identity columns
that continue after every number used so far, and the row-level security set up on the
old ids keeps holding for a member who holds no sequence privilege."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.config import Config

from annotator.storage import Database, open_database
from annotator.storage.migrate import MIGRATIONS_DIR

pytestmark = pytest.mark.postgres

# What ``server init`` set up before 0011: a policy helper taking ``integer``.
OLD_POLICY = """
CREATE FUNCTION public.annotator_owned(ann integer) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM public.annotators a WHERE a.id = ann AND a.role_name = current_user)
$$;
REVOKE ALL ON FUNCTION public.annotator_owned(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.annotator_owned(integer) TO annotator_users;
ALTER TABLE public.spans ENABLE ROW LEVEL SECURITY;
CREATE POLICY spans_read ON public.spans FOR SELECT TO mig_member USING (true);
CREATE POLICY spans_insert_own ON public.spans FOR INSERT TO mig_member
  WITH CHECK (public.annotator_owned(annotator_id));
"""


def _insert_span(conn: psycopg.Connection[Any], ann: int, start: int) -> int:
    row = conn.execute(
        'INSERT INTO public.spans (document_id, annotator_id, label_id, "start", "end", note, '
        "origin, decided_by, created_at, updated_at) SELECT 1, %s, l.id, %s, %s, '', "
        "'manual', '', now(), now() FROM public.labels l WHERE l.name = 'MILITARY' RETURNING id",
        (ann, start, start + 1),
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_populated_server_upgrades_to_bigint_identity_ids(pg_server: Any) -> None:
    name, url = pg_server.new_database()
    try:
        pg_server.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mig_member') "
            "THEN CREATE ROLE mig_member LOGIN PASSWORD 'pw-mig'; END IF; "
            "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'annotator_users') "
            "THEN CREATE ROLE annotator_users NOLOGIN; END IF; END $$"
        )
        pg_server.execute("GRANT annotator_users TO mig_member")
        old = Database(url)
        with old._write_engine.begin() as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0006")
        old.dispose()
        su = psycopg.connect(
            host=str(pg_server.root), port=pg_server.port, user="postgres", dbname=name
        )
        su.execute(
            "INSERT INTO documents (id, external_id, title, source, author, url, text, length, "
            "content_hash, source_path, source_sha256, meta, created_at) VALUES (1, '', 't', "
            "'', '', '', 'Tanks crossed the border.', 25, 'h1', '', '', '{}', now())"
        )
        su.execute(
            "INSERT INTO annotators (name, kind, role_name, created_at) VALUES "
            "('ann', 'human', 'mig_member', now()), ('bob', 'human', NULL, now())"
        )
        # A long history: the span sequence is just under the 32-bit limit.
        su.execute(f"SELECT setval('spans_id_seq', {2**31 - 3})")
        first = _insert_span(su, 1, 0)
        su.execute(OLD_POLICY)
        su.execute("GRANT USAGE ON SCHEMA public TO mig_member")
        su.execute("GRANT SELECT, INSERT ON public.spans TO mig_member")
        su.execute("GRANT SELECT ON public.labels, public.annotators TO mig_member")
        su.commit()
        su.close()

        db = open_database(url)  # runs 0007.. up to the head, 0011 among them
        db.dispose()
        with psycopg.connect(
            host=str(pg_server.root), port=pg_server.port, user="postgres", dbname=name
        ) as su2:
            kinds = dict(
                su2.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = 'spans' AND column_name IN ('id', 'document_id', "
                    "'annotator_id', 'label_id')"
                ).fetchall()
            )
            assert set(kinds.values()) == {"bigint"}
            ident = su2.execute(
                "SELECT is_identity FROM information_schema.columns "
                "WHERE table_name = 'spans' AND column_name = 'id'"
            ).fetchone()
            assert ident == ("YES",)
            policies = {
                r[0]: r[1]
                for r in su2.execute(
                    "SELECT policyname, with_check FROM pg_policies WHERE tablename = 'spans'"
                )
            }
            assert set(policies) == {"spans_read", "spans_insert_own"}
        # The member, holding no sequence privilege, inserts past 2**31; not as bob.
        with psycopg.connect(
            host="127.0.0.1", port=pg_server.port, user="mig_member", password="pw-mig", dbname=name
        ) as member:
            ids = [_insert_span(member, 1, 2 + i) for i in range(5)]
            member.commit()
            assert ids[0] > first and ids[-1] > 2**31
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                _insert_span(member, 2, 20)
    finally:
        pg_server.drop_database(name)
