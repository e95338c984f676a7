"""Team server administration: set up a PostgreSQL database for a team, add its people.

Run by the database owner; see ``annotator.storage.server`` for the roles and policies.
"""

from __future__ import annotations

from annotator.storage import Database, server, sessions
from annotator.storage.sessions import ServerSession


class TeamServerService:
    def __init__(self, db: Database) -> None:
        self._db = db

    @classmethod
    def connect(cls, url: str) -> TeamServerService:
        """Connect without migrating: ``init`` migrates, as the owner."""
        return cls(Database(url))

    def init(self) -> list[str]:
        """Migrate and apply roles, grants, row-level security and members' limits
        (idempotent). Returns notes on what needs a superuser.

        As the owner it also prunes the span change log, which users cannot; run it
        after each upgrade and now and then (a weekly cron job is plenty).
        """
        from annotator.services.opening import prune_change_log

        notes = server.init_server(self._db)
        prune_change_log(self._db)
        return notes

    def add_user(
        self,
        name: str,
        password: str | None,
        *,
        adjudicator: bool = False,
        lead: bool = False,
        annotator: str | None = None,
        existing_role: bool = False,
        connection_limit: int = server.DEFAULT_CONNECTION_LIMIT,
    ) -> None:
        """A login role ``name`` in ``annotator_users`` (and the adjudicator or lead group),
        mapped to annotator ``annotator`` (default: the same name). The password reaches
        the server only as a SCRAM hash. An existing role is refused unless
        ``existing_role`` (then it only gains membership; its password is not touched)."""
        server.add_user(
            self._db,
            name,
            password,
            adjudicator=adjudicator,
            lead=lead,
            annotator=annotator,
            existing_role=existing_role,
            connection_limit=connection_limit,
        )

    def reset_password(self, name: str, password: str) -> None:
        """A new password for member ``name`` (as a SCRAM hash); the owner's is never reset."""
        server.reset_password(self._db, name, password)

    def sessions(self) -> list[ServerSession]:
        """Everyone else connected to this database: state, open transaction, who waits
        on whom."""
        return sessions.sessions(self._db)

    def end_session(self, pid: int) -> ServerSession:
        """End a member's session (never the owner's or a superuser's)."""
        return sessions.end_session(self._db, pid)
