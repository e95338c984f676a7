"""Render resources/icons/app.svg to the PNG sizes desktops want and a Windows .ico.

    python packaging/render_icons.py OUT_DIR

Writes OUT_DIR/hicolor/<n>x<n>/apps/annotator.png (freedesktop icon theme layout, for the
Linux .desktop entry) and OUT_DIR/annotator.ico (PNG-compressed entries, 16-256 px, for
PyInstaller's Windows EXE). Qt renders the SVG offscreen, so no network and no extra
tools are needed; build.sh runs this before PyInstaller. Outputs are build artefacts,
never committed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "app.svg"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render_png(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SVG}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are PNG images (valid since Windows Vista)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for n in sizes:
        blob = pngs[n]
        dim = 0 if n >= 256 else n  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return header + entries + blobs


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([])
    out = Path(argv[0])
    pngs = {}
    for n in sorted(set(HICOLOR_SIZES) | set(ICO_SIZES)):
        pngs[n] = render_png(n)
        if n in HICOLOR_SIZES:
            dest = out / "hicolor" / f"{n}x{n}" / "apps" / "annotator.png"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(pngs[n])
    (out / "hicolor" / "scalable" / "apps").mkdir(parents=True, exist_ok=True)
    (out / "hicolor" / "scalable" / "apps" / "annotator.svg").write_bytes(SVG.read_bytes())
    (out / "annotator.ico").write_bytes(ico_bytes({n: pngs[n] for n in ICO_SIZES}))
    print(f"icons: {len(HICOLOR_SIZES)} PNG sizes, scalable SVG and annotator.ico in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
