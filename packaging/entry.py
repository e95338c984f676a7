"""PyInstaller entry point: the same `annotator` command as the console script."""

from annotator.launch import run

raise SystemExit(run())
