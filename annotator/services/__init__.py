"""Use cases: one transaction per user action, each returning what changed."""

from annotator.services.changes import Changes
from annotator.services.workspace import Workspace

__all__ = ["Changes", "Workspace"]
