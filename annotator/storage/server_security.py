"""The team server's row-level security, as SQL: the group roles, the definer functions the
policies and the delete path call, and the policies of each table. ``storage.server`` applies
it (``annotator server init``); what each role may do is said there.

Every ``SECURITY DEFINER`` function pins its ``search_path`` with ``pg_temp`` last
(``_pin``), and every object a function or policy names is schema-qualified (``{s}``).
"""

from __future__ import annotations

from sqlalchemy import Connection

from annotator.core.model import GOLD_ANNOTATOR

USERS = "annotator_users"
ADJUDICATORS = "annotator_adjudicators"
LEADS = "annotator_leads"
GROUPS = (USERS, ADJUDICATORS, LEADS)

# Columns an annotator may change on their own spans (not document_id, annotator_id).
SPAN_EDITABLE = ("label_id", '"start"', '"end"', "note", "origin", "decided_by", "updated_at")


def _pin(schema: str) -> str:
    """The search_path every function here runs with: pg_temp explicitly last."""
    return f"SET search_path = pg_catalog, {schema}, pg_temp"


def _delete_function(schema: str, table: str, *, gold: bool) -> str:
    """``annotator_delete_<table>(ids)``: members hold no DELETE privilege on ``table`` (it
    would let them LOCK it), so they delete through this definer function, which applies
    the policies' rule itself: the login role's own rows, gold's for adjudicators when
    ``gold``, any for leads. Returns how many rows went."""
    gold_rule = (
        f"""
         OR (a.name = '{GOLD_ANNOTATOR}'
             AND pg_catalog.pg_has_role(session_user, '{ADJUDICATORS}', 'MEMBER'))"""
        if gold
        else ""
    )
    return f"""CREATE OR REPLACE FUNCTION {schema}.annotator_delete_{table}(ids bigint[])
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {_pin(schema)} AS $$
DECLARE
  n integer;
BEGIN
  DELETE FROM {schema}.{table} t
  USING {schema}.annotators a
  WHERE t.id = ANY (ids)
    AND a.id = t.annotator_id
    AND (a.role_name = session_user{gold_rule}
         OR pg_catalog.pg_has_role(session_user, '{LEADS}', 'MEMBER'));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;"""


def _functions(schema: str) -> str:
    """Policy helpers (invoker's rights) and the one definer function members call.

    Every object is named with its schema and every function pins its search_path, so
    nothing a member creates (a temporary ``annotators`` table, a function in ``pg_temp``,
    a ``set_config('search_path', ...)``) can stand in for ours.
    """
    pin = _pin(schema)
    return f"""
CREATE OR REPLACE FUNCTION {schema}.annotator_owned(ann bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER {pin} AS $$
  SELECT EXISTS (SELECT 1 FROM {schema}.annotators a
                 WHERE a.id = ann AND a.role_name = current_user)
$$;
CREATE OR REPLACE FUNCTION {schema}.annotator_is_gold(ann bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY INVOKER {pin} AS $$
  SELECT EXISTS (SELECT 1 FROM {schema}.annotators a
                 WHERE a.id = ann AND a.name = '{GOLD_ANNOTATOR}')
$$;
-- Members delete spans through a definer function (see _delete_function): the owner is
-- not subject to row-level security, so the function applies the policies' rule itself.
{_delete_function(schema, "spans", gold=True)}
-- Blind mode (issue 22): the overlap documents whose teammates' rows the member logged in
-- may not read: blind mode is on (set so, or unset with an overlap set planned), the member
-- has not marked the document done, and the member is no adjudicator or lead. A set, so a
-- policy asks once per query (a hashed subplan), not once per row. Definer's rights: it
-- reads document_status and assignments whole, which a policy on those very tables could
-- not do as the invoker without recursing; ``session_user`` is the login.
CREATE OR REPLACE FUNCTION {schema}.annotator_blind_documents() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER {pin} AS $$
  SELECT DISTINCT x.document_id FROM {schema}.assignments x
  WHERE x.overlap
    AND COALESCE(
          (SELECT p.value = 'on' FROM {schema}.project_settings p WHERE p.key = 'blind'),
          true)
    AND NOT pg_catalog.pg_has_role(session_user, '{ADJUDICATORS}', 'MEMBER')
    AND NOT EXISTS (SELECT 1 FROM {schema}.document_status ds
                    JOIN {schema}.annotators me ON me.id = ds.annotator_id
                    WHERE ds.document_id = x.document_id AND me.role_name = session_user
                      AND ds.status = 'done')
$$;
-- The annotators of the role in use, as a set: a policy asks once per statement (a hashed
-- subplan) where ``annotator_owned(annotator_id)`` ran a query per row, so a member's
-- 20,000-row insert from psql costs the server a fifth less.
CREATE OR REPLACE FUNCTION {schema}.annotator_mine() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY INVOKER {pin} AS $$
  SELECT a.id FROM {schema}.annotators a WHERE a.role_name = current_user
$$;
REVOKE ALL ON FUNCTION {schema}.annotator_mine() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {schema}.annotator_mine() TO {USERS};
-- Whose rows blind mode never hides: the member's own annotator and gold.
CREATE OR REPLACE FUNCTION {schema}.annotator_unhidden() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY INVOKER {pin} AS $$
  SELECT a.id FROM {schema}.annotators a
  WHERE a.role_name = session_user OR a.name = '{GOLD_ANNOTATOR}'
$$;
REVOKE ALL ON FUNCTION {schema}.annotator_blind_documents() FROM PUBLIC;
REVOKE ALL ON FUNCTION {schema}.annotator_unhidden() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {schema}.annotator_blind_documents() TO {USERS};
GRANT EXECUTE ON FUNCTION {schema}.annotator_unhidden() TO {USERS};
-- The live feed's read of the change log. Blind mode hides a teammate's entries on an
-- overlap document from a member (policy changes_read); read directly, each hidden entry
-- would look like a number a late commit has yet to fill, and the feed would watch it as
-- a gap. Through this definer function the member gets every number, a hidden entry's as
-- 'hidden' with nothing else (no span, document, annotator or time), so the feed moves
-- past it. The same rule as the policy: session_user is the login.
CREATE OR REPLACE FUNCTION {schema}.annotator_changes_after(
  after bigint, lo bigint[], hi bigint[], lim integer)
RETURNS TABLE (seq bigint, op text, span_id bigint, document_id bigint, annotator text,
               changed_at timestamp)
LANGUAGE plpgsql STABLE SECURITY DEFINER {pin} AS $$
-- PL/pgSQL, not SQL: its plan is kept for the session, and the two sets are read once a
-- call (as arrays), not once a row. Each gap (at most 256) is an index range scan of its own.
DECLARE
  docs bigint[] := ARRAY(SELECT {schema}.annotator_blind_documents());
  mine bigint[] := '{{}}';
  n integer := LEAST(COALESCE(lim, 1000), 10000);
BEGIN
  IF pg_catalog.cardinality(docs) > 0 THEN
    mine := ARRAY(SELECT {schema}.annotator_unhidden());
  END IF;
  RETURN QUERY
    SELECT c.id, CASE WHEN v.hide THEN 'hidden' ELSE c.op::text END,
           CASE WHEN v.hide THEN 0::bigint ELSE c.span_id END,
           CASE WHEN v.hide THEN 0::bigint ELSE c.document_id END,
           CASE WHEN v.hide THEN ''::text ELSE COALESCE(a.name, '')::text END,
           CASE WHEN v.hide THEN NULL ELSE c.changed_at END
    FROM (
      (SELECT x.* FROM {schema}.span_changes x WHERE x.id > after ORDER BY x.id LIMIT n)
      UNION ALL
      (SELECT y.* FROM ROWS FROM (pg_catalog.unnest(lo[1:256]), pg_catalog.unnest(hi[1:256]))
         AS g(l, h)
       CROSS JOIN LATERAL (SELECT x.* FROM {schema}.span_changes x
                           WHERE x.id BETWEEN g.l AND g.h ORDER BY x.id LIMIT n) y)
    ) c
    LEFT JOIN {schema}.annotators a ON a.id = c.annotator_id
    CROSS JOIN LATERAL (SELECT c.document_id = ANY (docs)
                               AND NOT c.annotator_id = ANY (mine) AS hide) v
    ORDER BY c.id
    LIMIT n;
END
$$;
REVOKE ALL ON FUNCTION {schema}.annotator_changes_after(bigint, bigint[], bigint[], integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {schema}.annotator_changes_after(bigint, bigint[], bigint[], integer)
  TO {USERS};
-- The same for judgements ("no label here", rejected suggestions): one's own, or any for leads.
{_delete_function(schema, "judgements", gold=False)}
-- And for labels of whole documents: one's own, gold for adjudicators, any for leads.
{_delete_function(schema, "document_labels", gold=True)}
REVOKE ALL ON FUNCTION {schema}.annotator_delete_document_labels(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {schema}.annotator_delete_document_labels(bigint[]) TO {USERS};
REVOKE ALL ON FUNCTION {schema}.annotator_owned(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION {schema}.annotator_is_gold(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION {schema}.annotator_delete_spans(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {schema}.annotator_owned(bigint) TO {USERS};
GRANT EXECUTE ON FUNCTION {schema}.annotator_is_gold(bigint) TO {USERS};
GRANT EXECUTE ON FUNCTION {schema}.annotator_delete_spans(bigint[]) TO {USERS};
REVOKE ALL ON FUNCTION {schema}.annotator_delete_judgements(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {schema}.annotator_delete_judgements(bigint[]) TO {USERS};
"""


_Policy = tuple[str, str, str, str | None, str | None]
# A member's own rows (the same rows annotator_owned(annotator_id) names).
_OWN = "annotator_id IN (SELECT {s}.annotator_mine())"
# Blind mode: a row is readable unless it is a teammate's on a document hidden from the login.
_BLIND_READ = (
    "document_id NOT IN (SELECT {s}.annotator_blind_documents()) "
    "OR annotator_id IN (SELECT {s}.annotator_unhidden())"
)
_POLICIES: dict[str, list[_Policy]] = {
    # table: [(policy, command, role, USING, WITH CHECK)]
    "spans": [
        # Blind mode: teammates' spans (and notes) on an unfinished overlap document are
        # not readable at all, so no client (the app, psql) can show them.
        (
            "spans_read",
            "SELECT",
            USERS,
            _BLIND_READ,
            None,
        ),
        ("spans_insert_own", "INSERT", USERS, None, _OWN),
        # USING, not only WITH CHECK: rows a member may not change are invisible to UPDATE
        # and so to SELECT ... FOR UPDATE, which would otherwise lock others' spans.
        (
            "spans_update_own",
            "UPDATE",
            USERS,
            _OWN,
            _OWN,
        ),
        ("spans_delete_own", "DELETE", USERS, _OWN, None),
        (
            "spans_gold",
            "ALL",
            ADJUDICATORS,
            "{s}.annotator_is_gold(annotator_id)",
            "{s}.annotator_is_gold(annotator_id)",
        ),
        ("spans_lead", "ALL", LEADS, "true", "true"),
    ],
    "document_status": [
        (
            "status_read",
            "SELECT",
            USERS,
            _BLIND_READ,
            None,
        ),
        (
            "status_own",
            "ALL",
            USERS,
            _OWN,
            _OWN,
        ),
        (
            "status_gold",
            "ALL",
            ADJUDICATORS,
            "{s}.annotator_is_gold(annotator_id)",
            "{s}.annotator_is_gold(annotator_id)",
        ),
        ("status_lead", "ALL", LEADS, "true", "true"),
    ],
    # Everyone reads every guideline version; only leads add one. No UPDATE or DELETE is
    # granted to anyone, so the versions spans point at stay as they were.
    "guidelines": [
        ("guidelines_read", "SELECT", USERS, "true", None),
        ("guidelines_lead_insert", "INSERT", LEADS, None, "true"),
    ],
    # Judgements are private training data: a member reads and writes only their own
    # (inserts; deletes go through annotator_delete_judgements); leads all of them.
    "judgements": [
        (
            "judgements_own",
            "ALL",
            USERS,
            _OWN,
            _OWN,
        ),
        ("judgements_lead", "ALL", LEADS, "true", "true"),
    ],
    # Members read and mark (skip) their own assignments; adjudicators read all (the
    # overlap set is what agreement compares); leads plan and hand over.
    "assignments": [
        (
            "assignments_own",
            "ALL",
            USERS,
            _OWN,
            _OWN,
        ),
        ("assignments_read_all", "SELECT", ADJUDICATORS, "true", None),
        ("assignments_lead", "ALL", LEADS, "true", "true"),
    ],
    # Imports (leads only): members read, so a teammate's window can tell an import runs;
    # the table grants above give them no write at all, these policies say the same.
    "import_journal": [
        ("journal_read", "SELECT", USERS, "true", None),
        ("journal_lead", "ALL", LEADS, "true", "true"),
    ],
    "import_leases": [
        ("leases_read", "SELECT", USERS, "true", None),
        ("leases_lead", "ALL", LEADS, "true", "true"),
    ],
    # Labels of whole documents (schema 0012): members add their own and take them back
    # through annotator_delete_document_labels (no UPDATE or DELETE privilege: table-level
    # rights would let them lock the table); blind mode hides teammates' as their spans.
    "document_labels": [
        ("doc_labels_read", "SELECT", USERS, _BLIND_READ, None),
        ("doc_labels_insert_own", "INSERT", USERS, None, _OWN),
        (
            "doc_labels_gold",
            "ALL",
            ADJUDICATORS,
            "{s}.annotator_is_gold(annotator_id)",
            "{s}.annotator_is_gold(annotator_id)",
        ),
        ("doc_labels_lead", "ALL", LEADS, "true", "true"),
    ],
    # The change log the live feed reads (schema 0003): who changed which document, when.
    # Written only by the owner's trigger function; blind mode hides teammates' entries on
    # a hidden document as it hides their spans, so a member's feed, or psql, cannot tell
    # who is working on the overlap document before they finish it. (The live feed reads
    # the log through annotator_changes_after, which hands over the hidden numbers only.)
    "span_changes": [
        ("changes_read", "SELECT", USERS, _BLIND_READ, None),
    ],
    # A model's predictions (schema 0015): suggestions on a document, no one's labels.
    # Members read them wherever they read the document (every document: blind mode hides
    # teammates' work, and a prediction is nobody's); only leads, who import, write them.
    # Members hold no INSERT, UPDATE or DELETE on the table, and these policies agree.
    "predictions": [
        ("predictions_read", "SELECT", USERS, "true", None),
        ("predictions_lead", "ALL", LEADS, "true", "true"),
    ],
}


# The policy helpers before 0011, when ids were ``integer``: dropped once the policies
# name the ``bigint`` ones (a policy on a bigint column resolves to those).
_OLD_HELPERS = (
    "annotator_owned(integer)",
    "annotator_is_gold(integer)",
    "annotator_delete_spans(integer[])",
    "annotator_delete_judgements(integer[])",
)


def apply_policies(conn: Connection, schema: str) -> None:
    conn.exec_driver_sql(_functions(schema))
    for table, policies in _POLICIES.items():
        target = f"{schema}.{table}"
        conn.exec_driver_sql(f"ALTER TABLE {target} ENABLE ROW LEVEL SECURITY")
        for name, command, role, using, check in policies:
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {target}")
            sql = f"CREATE POLICY {name} ON {target} FOR {command} TO {role}"
            if using is not None:
                sql += f" USING ({using.format(s=schema)})"
            if check is not None:
                sql += f" WITH CHECK ({check.format(s=schema)})"
            conn.exec_driver_sql(sql)
    for fn in _OLD_HELPERS:
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {schema}.{fn}")
