"""Character-level and passage-level agreement on small documents with known answers."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from annotator.agreement.character import (
    character_alpha,
    character_kappa,
    character_table,
    coverage,
)
from annotator.agreement.inputs import AgreementDocument, document_from_core
from annotator.agreement.passages import passage_alpha, passage_kappa, passage_table
from annotator.core.model import Document, Span


def test_coverage_unions_stacked_spans_and_ignores_other_labels() -> None:
    spans = [(2, 5, "MIL"), (4, 7, "MIL"), (3, 4, "MIL"), (0, 9, "ECO")]
    cov = coverage(10, spans, "MIL")
    assert cov.tolist() == [False, False, True, True, True, True, True, False, False, False]
    assert coverage(10, spans, "DIP").sum() == 0


def test_emoji_offsets_are_code_points() -> None:
    text = "War 🚀 in Kyiv. Talks 🕊️ in Geneva."
    kyiv = text.index("Kyiv")
    geneva = text.index("Geneva")
    assert text[kyiv : kyiv + 4] == "Kyiv"
    doc = AgreementDocument(
        "e",
        len(text),
        {
            "A": [(kyiv, kyiv + 4, "MIL"), (geneva, geneva + 6, "DIP")],
            "B": [(kyiv, kyiv + 4, "MIL"), (geneva + 1, geneva + 6, "DIP")],
        },
        text=text,
    )
    table = character_table([doc], annotators=("A", "B"), label="MIL")
    assert table.n_units == len(text)
    covered = np.flatnonzero(table.values[0] == 1).tolist()
    assert covered == list(range(kyiv, kyiv + 4))
    assert "".join(text[i] for i in covered) == "Kyiv"
    assert character_kappa([doc], pair=("A", "B"), label="MIL") == 1.0
    # DIP: A has 6 chars, B 5 of them; everything else agrees on "out".
    a = np.zeros(len(text), dtype=int)
    b = np.zeros(len(text), dtype=int)
    a[geneva : geneva + 6] = 1
    b[geneva + 1 : geneva + 6] = 1
    expected = cohen_kappa_score(a, b)
    assert character_kappa([doc], pair=("A", "B"), label="DIP") == pytest.approx(expected)
    assert 0.8 < expected < 1.0


def test_documents_are_concatenated_not_averaged() -> None:
    d1 = AgreementDocument("1", 10, {"A": [(0, 5, "X")], "B": [(0, 5, "X")]})
    d2 = AgreementDocument("2", 30, {"A": [(0, 10, "X")], "B": [(5, 15, "X")]})
    a = np.r_[np.ones(5), np.zeros(5), np.ones(10), np.zeros(20)]
    b = np.r_[np.ones(5), np.zeros(5), np.zeros(5), np.ones(10), np.zeros(15)]
    pooled = character_kappa([d1, d2], pair=("A", "B"), label="X")
    assert pooled == pytest.approx(cohen_kappa_score(a, b))
    averaged = (1.0 + character_kappa([d2], pair=("A", "B"), label="X")) / 2
    assert pooled != pytest.approx(averaged)
    alpha = character_alpha([d1, d2], annotators=("A", "B"), label="X")
    assert alpha == pytest.approx(
        krippendorff.alpha(np.vstack([a, b]), level_of_measurement="nominal")
    )


def test_missing_annotator_is_left_out_not_zero() -> None:
    d1 = AgreementDocument("1", 8, {"A": [(0, 4, "X")], "B": [(0, 4, "X")], "C": [(0, 4, "X")]})
    d2 = AgreementDocument("2", 8, {"A": [(0, 2, "X")], "B": [(0, 2, "X")]})  # C did not read it
    table = character_table([d1, d2], annotators=("A", "B", "C"), label="X")
    assert table.values[2, 8:].tolist() == [-1] * 8
    assert table.shared_units("A", "C") == 8
    data = np.vstack([table.values[0], table.values[1], table.values[2]]).astype(float)
    data[data < 0] = np.nan
    expected = krippendorff.alpha(data, level_of_measurement="nominal")
    assert table.alpha() == pytest.approx(expected)
    assert table.alpha() == 1.0
    # Empty span list = read and marked nothing: that is disagreement, not missing data.
    d3 = AgreementDocument("3", 8, {"A": [(0, 4, "X")], "B": []})
    assert character_kappa([d3], pair=("A", "B"), label="X") == 0.0


def test_label_nobody_used_is_nan() -> None:
    doc = AgreementDocument("1", 5, {"A": [(0, 2, "X")], "B": [(0, 2, "X")]})
    assert math.isnan(character_alpha([doc], annotators=("A", "B"), label="Y"))
    assert math.isnan(character_kappa([doc], pair=("A", "B"), label="Y"))


def test_bad_spans_are_rejected() -> None:
    with pytest.raises(ValueError, match="outside"):
        AgreementDocument("1", 5, {"A": [(3, 9, "X")]})
    with pytest.raises(ValueError, match="empty"):
        AgreementDocument("1", 5, {"A": [(3, 3, "X")]})


def test_adapter_from_core_spans() -> None:
    doc = Document(text="abcdefghij", id=7)
    spans = [Span(1, 7, 0, 4, "X", "A"), Span(2, 7, 2, 6, "X", "A")]
    adapted = document_from_core(doc, spans, annotators=["A", "B"])
    assert adapted.key == "7"
    assert adapted.spans_of("A") == [(0, 4, "X"), (2, 6, "X")]
    assert adapted.annotated_by("B") and adapted.spans_of("B") == []
    assert not adapted.annotated_by("C")


TEXT = (
    "Troops massed at the border. Talks resumed in Geneva. "
    "Grain exports fell sharply. Tanks crossed the river at dawn."
)


def _sentence(i: int) -> tuple[int, int]:
    from annotator.core.segment import sentences

    p = sentences(TEXT)[i]
    return p.start, p.end


def test_passage_level_majority_rule() -> None:
    s0, s1, _s2, s3 = (_sentence(i) for i in range(4))
    half0 = (s0[1] - s0[0]) // 2
    doc = AgreementDocument(
        "p",
        len(TEXT),
        {
            # A: whole sentences 0 and 3.
            "A": [(s0[0], s0[1], "MIL"), (s3[0], s3[1], "MIL")],
            # B: a bit more than half of sentence 0 (two stacked spans), less than half of 3.
            "B": [
                (s0[0], s0[0] + half0, "MIL"),
                (s0[0] + 2, s0[0] + half0 + 1, "MIL"),
                (s3[0], s3[0] + 5, "MIL"),
            ],
            "C": [(s0[0], s0[1], "MIL"), (s3[0], s3[1], "MIL"), (s1[0], s1[1], "DIP")],
        },
        text=TEXT,
    )
    table = passage_table([doc], annotators=("A", "B", "C"), label="MIL")
    assert table.n_units == 4
    assert table.values.tolist() == [[1, 0, 0, 1], [1, 0, 0, 0], [1, 0, 0, 1]]
    assert passage_kappa([doc], pair=("A", "C"), label="MIL") == 1.0
    assert passage_kappa([doc], pair=("A", "B"), label="MIL") == pytest.approx(
        cohen_kappa_score([1, 0, 0, 1], [1, 0, 0, 0])
    )
    assert passage_alpha([doc], annotators=("A", "B", "C"), label="MIL") == pytest.approx(
        krippendorff.alpha(
            [[1, 0, 0, 1], [1, 0, 0, 0], [1, 0, 0, 1]], level_of_measurement="nominal"
        )
    )


def test_passage_exactly_half_is_not_enough() -> None:
    text = "abcd efgh."  # one sentence of 10 characters
    doc = AgreementDocument("h", len(text), {"A": [(0, 5, "X")], "B": [(0, 6, "X")]}, text=text)
    assert passage_table([doc], annotators=("A", "B"), label="X").values.tolist() == [[0], [1]]


def test_passage_level_needs_text() -> None:
    doc = AgreementDocument("n", 4, {"A": []})
    with pytest.raises(ValueError, match="needs the document text"):
        passage_table([doc], annotators=("A",), label="X")
