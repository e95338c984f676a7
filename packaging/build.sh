#!/usr/bin/env bash
# Build the one-folder desktop bundle and check that it starts: dist/annotator/annotator.
# Usage: packaging/build.sh   (from any directory; uses the active Python environment)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
python -m pip install -q "pyinstaller>=6.5"
python -m PyInstaller --noconfirm --clean \
  --distpath "$ROOT/build/dist" --workpath "$ROOT/build/work" \
  packaging/annotator.spec
# Headless check: opens a scratch database with the demo project and exits cleanly.
QT_QPA_PLATFORM=offscreen "$ROOT/build/dist/annotator/annotator" self-test
