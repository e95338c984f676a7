"""The only package that imports SQLAlchemy: engine, schema, migrations, data functions."""

from sqlalchemy.orm import Session as Tx

from annotator.storage.engine import Database, display_url
from annotator.storage.migrate import upgrade

__all__ = ["Database", "Tx", "display_url", "open_database", "upgrade"]
# ``Tx`` is the transaction handle services pass through to ``repo`` functions untouched.


def open_database(url: str) -> Database:
    """Open (creating if needed) and migrate a database; refuses one from a newer version."""
    db = Database(url)
    upgrade(db)
    return db
