from annotator.cli import run

raise SystemExit(run())
