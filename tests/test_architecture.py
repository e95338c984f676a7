"""Layering is checked, not hoped for: import-linter contracts from pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run(
        [exe, "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" not in proc.stdout.lower() or " 0 broken" in proc.stdout.lower()


def test_core_imports_without_qt_or_sqlalchemy() -> None:
    code = (
        "import sys, annotator.core, annotator.formats.registry, annotator.agreement;"
        "bad=[m for m in ('PySide6','sqlalchemy') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_start_up_does_not_import_heavy_modules() -> None:
    """The window must show fast (target 1 s): numpy, the agreement package, the format
    registry, Alembic and spaCy load when first used, never at start-up."""
    code = (
        # and what the window's constructor imports: the suggestions' controller and queue
        "import sys, annotator.cli, annotator.gui.app, annotator.gui.main_window,"
        " annotator.gui.suggestions, annotator.gui.review_queue;"
        "heavy=('numpy','annotator.agreement','annotator.formats.registry','alembic','spacy',"
        "'sklearn','annotator.suggest');"
        "loaded=[m for m in heavy if m in sys.modules];"
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def _import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every group of modules that import each other round (Tarjan's strongly connected
    components of the import graph), each group sorted, groups of two or more only."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        # Iterative depth-first search: (module, its imports still to visit).
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, todo = work[-1]
            w = next(todo, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.find_modules_directly_imported_by(w)))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                group = []
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    group.append(x)
                    if x == v:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_import_cycles_between_modules() -> None:
    """No two modules of ``annotator`` import each other, directly or round a longer loop,
    at module level or inside a function (grimp sees both).

    Imports under ``if TYPE_CHECKING:`` are left out: they never run, so they cannot make an
    import order matter, and a helper taking its window as an argument may still name the
    window's class in its annotations (``gui/app_actions.py`` does).
    """
    graph = grimp.build_graph("annotator", exclude_type_checking_imports=True, cache_dir=None)
    cycles = _import_cycles(graph)
    chains = []
    for c in cycles:
        there = graph.find_shortest_chain(importer=c[0], imported=c[1]) or tuple(c[:2])
        back = graph.find_shortest_chain(importer=c[1], imported=c[0]) or tuple(c[:1])
        chains.append(" -> ".join((*there, *back[1:])))
    assert not cycles, "import cycles:\n" + "\n".join(chains)


def test_the_cycle_finder_finds_a_cycle_and_a_longer_loop() -> None:
    graph = grimp.ImportGraph()
    for m in ("p.a", "p.b", "p.c", "p.d", "p.e"):
        graph.add_module(m)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.d")
    graph.add_import(importer="p.d", imported="p.e")
    graph.add_import(importer="p.e", imported="p.c")
    graph.add_import(importer="p.e", imported="p.a")
    assert _import_cycles(graph) == [["p.a", "p.b"], ["p.c", "p.d", "p.e"]]
