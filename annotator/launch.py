"""The program's entry point (the ``annotator`` command, ``python -m annotator``, the
bundle): ``cli.main`` with a start and an exit that skip the garbage collector's walks.

A call of the command line is short, and most of its objects are the modules it loads
(SQLAlchemy's are many), which live until the process ends. The collector would walk
them while they are imported (0.045 s of each call, measured) and again at the exit
(0.1-0.2 s: more than the work of ``labels list``). So the imports run with the
collector off, and before the exit every object left is frozen (``gc.freeze``): the
interpreter's last collections skip them. ``cli.main`` has closed what the command
opened by then. Tests and embedding call ``cli.main`` itself and keep the collector as
it is.

The objects of the start-up imports are frozen too, as soon as they are loaded: with the
collector back on, the command's own work (a module imported lazily, 8,000 rows of
``stats``, 50,000 spans of an import) set off full collections that walked all of
SQLAlchemy again, each 0.01-0.02 s (``import annotator.log`` after the start took 0.025 s
with them, 0.005 s without). Frozen objects are never collected; these live until the
exit anyway.
"""

from __future__ import annotations

import gc


def run() -> int:
    gc.disable()
    try:
        from annotator.cli import main

        gc.freeze()  # the modules' objects: no later collection walks them
    finally:
        gc.enable()
    code = main()
    gc.freeze()
    return code
