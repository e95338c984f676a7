"""Annotator: tag passages of analysis articles and export them as training data."""

__version__ = "0.1.0"
