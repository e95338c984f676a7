"""Which language a passage is in (py3langid: an offline model shipped in the package).

A model trained on English passages has nothing to say about a Russian or Chinese one: its
scores there are noise, and near the threshold they would top the uncertainty queue. The
suggester gives such passages no suggestion and a note instead.

py3langid reads every byte in Python (about 0.5 microseconds a byte), so a 5 MB document
would take seconds. Passages whose letters are mostly outside the Latin script (Cyrillic,
Greek, CJK, Arabic...) are classified one by one, on their first ``SAMPLE`` characters;
runs of consecutive Latin-script passages are classified together, on a sample of up to
``SAMPLE`` characters drawn from the run (a French paragraph among English ones is found; a
single French sentence inside an English run may not be).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

SAMPLE = 240
RUN = 12
"""Latin-script passages classified together..."""
MAX_RUNS = 400
"""...or more of them, so that a long document needs at most about this many classifications."""
MIN_SHARE = 0.02
"""A language is the training data's when at least this share of the sampled passages is in it."""
TRAINING_SAMPLE = 400
UNKNOWN = ""

_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LETTER = re.compile(r"[^\W\d_]")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f]")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)


def _latin(text: str) -> bool | None:
    """Mostly Latin letters? None when the text has no letters at all."""
    head = text[:SAMPLE]
    if head.isascii() or not _OTHER_LETTER.search(head):  # the common case, decided in C
        return True if _LETTER.search(head) else None
    return len(_LATIN_LETTER.findall(head)) >= len(_OTHER_LETTER.findall(head))


def _classify(text: str) -> str:
    lang, _score = _identifier().classify(text)
    return str(lang)


def detect(texts: Sequence[str]) -> list[str]:
    """The language code of each text (``UNKNOWN`` for one without letters)."""
    out = [UNKNOWN] * len(texts)
    run: list[int] = []
    size = max(RUN, -(-len(texts) // MAX_RUNS))

    def flush() -> None:
        if not run:
            return
        sample, size = [], 0
        per = max(40, SAMPLE // len(run))
        for i in run:
            piece = texts[i][:per]
            sample.append(piece)
            size += len(piece)
            if size >= SAMPLE:
                break
        lang = _classify(" ".join(sample))
        for i in run:
            out[i] = lang
        run.clear()

    for i, text in enumerate(texts):
        latin = _latin(text)
        if latin is None:
            continue
        if latin:
            run.append(i)
            if len(run) >= size:
                flush()
        else:
            flush()
            out[i] = _classify(text[:SAMPLE])
    flush()
    return out


def training_languages(texts: Sequence[str]) -> frozenset[str]:
    """The languages of a set of training passages (a sample of them)."""
    if not texts:
        return frozenset()
    step = max(1, len(texts) // TRAINING_SAMPLE)
    sample = [t for t in texts[::step] if _latin(t) is not None]
    if not sample:
        return frozenset()
    counts = Counter(lang for lang in detect(sample) if lang)
    return frozenset(lang for lang, c in counts.items() if c >= max(1, MIN_SHARE * len(sample)))
