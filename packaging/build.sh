#!/usr/bin/env bash
# Build the one-folder desktop bundle and check that it starts: build/dist/annotator/annotator.
# Usage: packaging/build.sh   (from any directory; uses the active Python environment)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
start=$(date +%s)
python -m pip install -q "pyinstaller>=6.5"
# Icons for the .desktop entry (hicolor PNGs) and Windows (.ico), rendered by Qt from the SVG.
python packaging/render_icons.py "$ROOT/build/icons"
python -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$ROOT/build/dist" --workpath "$ROOT/build/work" \
  packaging/annotator.spec
built=$(date +%s)
BUNDLE="$ROOT/build/dist/annotator"
echo "bundle: $BUNDLE ($(du -sh "$BUNDLE" | cut -f1), $(find "$BUNDLE" -type f | wc -l) files), built in $((built - start)) s"
# The offscreen platform plugin must be there for headless runs (CI, the self-test).
ls "$BUNDLE"/_internal/PySide6/Qt/plugins/platforms/ | grep -q offscreen \
  || { echo "build.sh: the offscreen Qt platform plugin is missing from the bundle" >&2; exit 1; }
"$BUNDLE/annotator" --version
# Headless check: opens a scratch database with the demo project and exits cleanly.
# Run from / so nothing can come from the source tree by accident.
(cd / && QT_QPA_PLATFORM=offscreen "$BUNDLE/annotator" self-test)
echo "self-test passed in $(( $(date +%s) - built )) s; total $(( $(date +%s) - start )) s"
