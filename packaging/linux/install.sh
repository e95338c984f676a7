#!/usr/bin/env bash
# Install the built bundle for the current user: the program under ~/.local/opt/annotator,
# a launcher in ~/.local/bin, the icon set in the hicolor theme and the .desktop entry.
# Usage: packaging/linux/install.sh [BUNDLE_DIR]   (default: build/dist/annotator)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BUNDLE="${1:-$ROOT/build/dist/annotator}"
PREFIX="${XDG_DATA_HOME:-$HOME/.local/share}"
[ -x "$BUNDLE/annotator" ] || { echo "no bundle at $BUNDLE; run packaging/build.sh" >&2; exit 1; }
mkdir -p "$HOME/.local/opt" "$HOME/.local/bin" "$PREFIX/applications" "$PREFIX/icons"
rm -rf "$HOME/.local/opt/annotator"
cp -a "$BUNDLE" "$HOME/.local/opt/annotator"
ln -sf "$HOME/.local/opt/annotator/annotator" "$HOME/.local/bin/annotator"
cp -r "$BUNDLE/_internal/annotator/_data/icons/hicolor" "$PREFIX/icons/"
sed "s|^Exec=annotator|Exec=$HOME/.local/opt/annotator/annotator|; s|^TryExec=annotator|TryExec=$HOME/.local/opt/annotator/annotator|" \
  "$ROOT/packaging/linux/annotator.desktop" > "$PREFIX/applications/annotator.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$PREFIX/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$PREFIX/icons/hicolor" || true
echo "installed: $HOME/.local/opt/annotator (menu entry: Annotator)"
