"""Importers refuse malformed input with the file and line, rather than skip it."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.errors import InputError


def test_brat_refuses_a_line_that_is_no_annotation(tmp_path: Path) -> None:
    from annotator.formats.brat import BratStandoff

    (tmp_path / "a.txt").write_text("Troops crossed.", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tMILITARY 0 6\tTroops\nJ\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a brat annotation line") as exc:
        list(BratStandoff().read(tmp_path / "a.ann"))
    assert exc.value.line == 2
    # Relations and events are valid brat, just not spans: they pass.
    (tmp_path / "a.ann").write_text(
        "T1\tMILITARY 0 6\tTroops\nT2\tMILITARY 7 14\tcrossed\nR1\tAgent Arg1:T1 Arg2:T2\n",
        encoding="utf-8",
    )
    (item,) = BratStandoff().read(tmp_path / "a.ann")
    assert len(item.spans) == 2
