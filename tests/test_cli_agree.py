"""``annotator agree``, ``adjudicate`` and ``import-layer`` as a user runs them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from annotator.agreement import AgreementReport, build_report, document_from_core
from annotator.agreement.report import ReportLevel
from annotator.services import Workspace
from annotator.services.agreement_report import fmt
from tests.services.team_data import two_annotators
from tests.test_cli import run


def _setup(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    ws = Workspace.open(url)
    two_annotators(ws)
    ws.close()
    return url


def _expected(url: str, level: ReportLevel) -> AgreementReport:
    ws = Workspace.open(url)
    docs = [
        document_from_core(
            ws.documents.get(d.id),
            ws.annotations.spans(d.id, annotators=("ann", "bob")),
            annotators=("ann", "bob"),
            key=str(d.id),
        )
        for d in ws.documents.list()
    ]
    ws.close()
    return build_report(docs, level=level, annotators=("ann", "bob"))


def test_agree_text_json_and_html(tmp_path: Path) -> None:
    url = _setup(tmp_path)
    want = _expected(url, "char")
    text = run("--db", url, "agree", "--annotators", "ann,bob", env_dir=tmp_path).stdout
    for r in want.pair_rows:
        assert re.search(rf"^ann\s+bob\s+{r.label}\s+{re.escape(fmt(r.kappa))}\s", text, re.M), text
    for r in want.label_rows:
        assert re.search(rf"^{r.label}\s+{re.escape(fmt(r.alpha))}\s", text, re.M), text
    page = tmp_path / "out" / "report.html"
    proc = run("--db", url, "agree", "--json", "--report", str(page), env_dir=tmp_path)
    data = json.loads(proc.stdout)
    assert [p["kappa"] for p in data["pairs"]] == [r.kappa for r in want.pair_rows]
    assert [r["alpha"] for r in data["label_rows"]] == [r.alpha for r in want.label_rows]
    body = page.read_text(encoding="utf-8")
    assert "<table>" in body and body.count('class="heat"') == len(want.pair_rows)
    assert fmt(want.pair_rows[0].kappa) in body
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", body)
    assert "http://" not in body and "https://" not in body


def test_agree_span_level_csv(tmp_path: Path) -> None:
    url = _setup(tmp_path)
    want = _expected(url, "span")
    out = run("--db", url, "agree", "--level", "span", "--csv", env_dir=tmp_path).stdout
    rows = [line.split(",") for line in out.splitlines()[1:] if line.startswith("pair,")]
    assert [float(r[7]) for r in rows] == [r.f1 for r in want.pair_rows]


def test_agree_errors(tmp_path: Path) -> None:
    url = _setup(tmp_path)
    proc = run("--db", url, "agree", "--annotators", "ann", env_dir=tmp_path, check=False)
    assert proc.returncode == 1 and "at least two annotators" in proc.stderr
    proc = run(
        "--db", url, "agree", "--report", str(tmp_path / "r.pdf"), env_dir=tmp_path, check=False
    )
    assert proc.returncode == 1 and "unknown report type" in proc.stderr


def test_adjudicate_merge_then_export_gold(tmp_path: Path) -> None:
    url = _setup(tmp_path)
    proc = run(
        "--db",
        url,
        "adjudicate",
        "--annotators",
        "ann,bob",
        "--merge-unanimous",
        "--by",
        "eve",
        env_dir=tmp_path,
    )
    assert "merged 3 unanimous span(s) into gold in 2 document(s)" in proc.stdout
    dest = tmp_path / "gold.jsonl"
    run("--db", url, "export", "-o", str(dest), "--annotator", "gold", env_dir=tmp_path)
    spans = [
        s
        for line in dest.read_text(encoding="utf-8").splitlines()
        for s in json.loads(line)["spans"]
    ]
    assert len(spans) == 3 and {s["origin"] for s in spans} == {"unanimous"}
    assert {s["decided_by"] for s in spans} == {"eve"}


def test_import_layer_from_a_database_file(tmp_path: Path) -> None:
    url = _setup(tmp_path)
    mine = f"sqlite:///{tmp_path / 'mine.sqlite3'}"
    run("--db", mine, "import", "corpus/001_1b77e67b279ac622.txt", env_dir=tmp_path)
    out = run(
        "--db", mine, "import-layer", str(tmp_path / "a.sqlite3"), "--as", "team", env_dir=tmp_path
    ).stdout
    # 12 spans by ann and bob, 3 of them drawn identically by both: 9 distinct under "team".
    assert "0 document(s) matched, 2 added" in out and "layer team: 9 span(s) in file, 9 new" in out
    again = run(
        "--db", mine, "import-layer", str(tmp_path / "a.sqlite3"), "--as", "team", env_dir=tmp_path
    ).stdout
    assert "9 new" not in again and "0 new, 9 identical" in again and url


def test_agree_three_annotators_coverage_and_document_ids(tmp_path: Path) -> None:
    """A team of three at span level: Fleiss-free span figures (mean pairwise F1, team-wide
    u-alpha, intervals), the coverage rule, and documents named by their imported id."""
    from annotator.core.model import Document, DocumentStatus
    from annotator.core.text import content_hash
    from annotator.storage import repo

    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    ws = Workspace.open(url)
    texts = ["Troops massed at the border. Talks resumed.", "Grain exports fell. Banks closed."]
    ids = []
    for k, text in enumerate(texts):
        doc = Document(
            text=text, title=f"Article {k}", content_hash=content_hash(text), external_id=f"art-{k}"
        )
        ids.append(ws.db.write(lambda s, doc=doc: repo.add_document(s, doc)))
    add = ws.annotations.add
    for who in ("ann", "bob", "cat"):
        add(ids[0], start=0, end=28, label="MILITARY", annotator=who)
    add(ids[0], start=29, end=43, label="DIPLOMATIC", annotator="ann")
    add(ids[1], start=0, end=19, label="ECONOMIC", annotator="ann")
    add(ids[1], start=0, end=19, label="ECONOMIC", annotator="bob")
    for who in ("ann", "bob", "cat"):
        ws.annotations.set_status(ids[0], who, DocumentStatus.DONE)
    for who in ("ann", "bob"):  # cat tagged nothing in the second and did not finish it
        ws.annotations.set_status(ids[1], who, DocumentStatus.DONE)
    ws.close()
    proc = run(
        "--db",
        url,
        "agree",
        "--level",
        "span",
        "--json",
        "--bootstrap",
        "200",
        "--seed",
        "3",
        env_dir=tmp_path,
    )
    data = json.loads(proc.stdout)
    assert data["annotators"] == ["ann", "bob", "cat"]
    assert [d["id"] for d in data["documents"]] == ["art-0", "art-1"]
    assert [d["title"] for d in data["documents"]] == ["Article 0", "Article 1"]
    assert data["uncovered"] == [{"document": str(ids[1]), "annotators": ["cat"]}]
    assert data["policies"]["coverage"].startswith("an annotator covers a document they marked")
    assert (
        "200 resamples" in data["policies"]["intervals"]
        and "seed 3" in data["policies"]["intervals"]
    )
    assert data["bootstrap_resamples"] == 200
    summary = {r["label"]: r for r in data["summary"]}
    assert summary["MILITARY"]["f1"] == 1.0 and summary["MILITARY"]["pairs"] == 3
    assert set(summary) >= {"(micro)", "(macro)"}
    assert data["u_alpha"] is not None
    assert len(data["comparisons"]) == 3 and data["diagnosed"] is False
    # "touched" coverage: cat touched the second document? No: no status, no span there.
    touched = json.loads(
        run(
            "--db",
            url,
            "agree",
            "--level",
            "span",
            "--json",
            "--coverage",
            "touched",
            env_dir=tmp_path,
        ).stdout
    )
    assert touched["uncovered"] == data["uncovered"]
    text = run("--db", url, "agree", "--level", "span", env_dir=tmp_path).stdout
    assert "Policies:" in text and "coverage:" in text and "Mean over 3 pair(s)" in text


def test_agree_says_plainly_when_no_document_is_covered(tmp_path: Path) -> None:
    """A new team: spans, but nobody marked a document done. The default coverage ("done")
    covers nothing; the report says so first and names the way out, not only n/a tables."""
    from annotator.core.model import DocumentStatus

    url = _setup(tmp_path)
    ws = Workspace.open(url)
    for d in ws.documents.list():
        for who in ("ann", "bob"):
            ws.annotations.set_status(d.id, who, DocumentStatus.IN_PROGRESS)
    ws.close()
    text = run("--db", url, "agree", "--annotators", "ann,bob", env_dir=tmp_path).stdout
    assert "no document is covered by two of the chosen annotators" in text
    assert "--coverage touched" in text
    touched = run(
        "--db", url, "agree", "--annotators", "ann,bob", "--coverage", "touched", env_dir=tmp_path
    ).stdout
    assert "no document is covered" not in touched
