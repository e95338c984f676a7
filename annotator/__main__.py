from annotator.launch import run

raise SystemExit(run())
