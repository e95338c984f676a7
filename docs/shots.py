"""What the screenshot scripts share: waiting for the window to settle, grabbing a widget
to a PNG, and the ``main`` that renders into docs/images and lists what it wrote."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "images"


class Camera:
    """Settles the event loop of one main window and saves widgets as images."""

    def __init__(self, app: Any, win: Any, out: Path) -> None:
        self.app, self.win, self.out = app, win, out
        self.written: list[Path] = []
        out.mkdir(parents=True, exist_ok=True)

    def settle(self, ms: int = 150, *runners: Any) -> None:
        """Let Qt run ``ms`` milliseconds, then until the window's (and these) runners idle."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        for runner in (self.win.runner, *runners):
            while runner.busy:
                runner.wait(50)
                self.app.processEvents()

    def close(self, ws: Any) -> None:
        """Close the window once its background work is done, then the workspace."""
        self.win.close()
        self.win.runner.wait(10_000)
        self.win.deleteLater()
        self.app.processEvents()
        ws.close()

    def save(self, widget: Any, name: str) -> Path:
        path = self.out / name
        if not widget.grab().save(str(path)):
            raise RuntimeError(f"could not write {path}")
        self.written.append(path)
        return path


def main(render: Callable[[Path, Path], list[Path]], shots: Mapping[str, str]) -> int:
    with tempfile.TemporaryDirectory(prefix="annotator-shots-") as tmp:
        written = render(OUT, Path(tmp))
    for path in written:
        print(f"wrote {path.relative_to(HERE.parent)}  ({shots[path.name]})")
    return 0
