"""PyInstaller entry point: the same `annotator` command as the console script."""

from annotator.cli import main

raise SystemExit(main())
