"""Seed rules: words and phrases that propose a label before any passage is tagged.

One rule a line, matched case-insensitively on word boundaries:

- ``ceasefire`` or ``peace talks``: the word or phrase (any run of spaces between words);
- ``sanction*``: ``*`` stands for any letters, so this matches sanction, sanctions, sanctioned;
- ``/\\bGDP\\b/``: between slashes, a Python regular expression (case-insensitive too).

Blank lines and lines starting with ``#`` are ignored.

Regular expressions run with the ``regex`` module and a time limit: one with catastrophic
backtracking, such as ``/(a|aa)+$/``, is refused when it is saved if it is slow on a probe
text, and one that still runs past its limit on some text is switched off for the rest of
that rule set (logged once), never hanging the scoring. Word rules cannot backtrack so.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex as regex_module

from annotator.core.errors import AnnotatorError

log = logging.getLogger(__name__)

MATCH_TIMEOUT_S = 0.05
"""Longest one search of a rule's expression may take, plus ``MATCH_S_PER_CHAR`` for each
character of the text searched (a document's passages are searched joined)."""
MATCH_S_PER_CHAR = 1e-7
CHECK_TIMEOUT_S = 0.25
"""Longest a new regular expression may take on each probe text before it is refused."""
_PROBES = (
    "a" * 40 + "!",
    "a" * 3000 + "!",
    "ab " * 1500 + "!",
    ("word " * 600).strip() + " ;x",
    "1" * 3000 + "x",
    "a-" * 1500 + "!",
)


def parse_rule(rule: str, *, check: bool = False) -> Any:
    """The compiled pattern of one rule line; a clear error for a bad regular expression.

    With ``check`` a regular expression is also run on a few probe texts that make nested
    repeats backtrack, and refused if any takes over ``CHECK_TIMEOUT_S``.
    """
    r = rule.strip()
    if len(r) >= 2 and r.startswith("/") and r.endswith("/"):
        try:
            pat = regex_module.compile(r[1:-1], regex_module.IGNORECASE | regex_module.V0)
        except regex_module.error as exc:
            raise AnnotatorError(f"Rule {rule!r} is not a valid regular expression: {exc}") from exc
        if check:
            for probe in _PROBES:
                try:
                    pat.search(probe, timeout=CHECK_TIMEOUT_S)
                except TimeoutError:
                    raise AnnotatorError(
                        f"Rule {rule!r} is too slow: it backtracks without end on some text "
                        "(a repeated group inside a repeat, like (a|aa)+). Write it without "
                        "the nested repeat, or as words (sanction*)."
                    ) from None
        return pat
    words = r.split()
    if not words:
        raise AnnotatorError("A rule cannot be empty.")
    parts = [re.escape(w).replace(r"\*", r"\w*") for w in words]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def rule_lines(text: str) -> list[str]:
    """The rules in a block of text (the label dialog's editor): one a line, comments dropped."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith("#"):
            out.append(s)
    return out


def _is_regex(rule: str) -> bool:
    r = rule.strip()
    return len(r) >= 2 and r.startswith("/") and r.endswith("/")


def _lower_pattern(rule: str) -> str:
    return r"\s+".join(re.escape(w.lower()).replace(r"\*", r"\w*") for w in rule.split())


def _combined(
    rules: Sequence[str],
) -> tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]]] | None:
    """One pattern for all of a label's word and phrase rules, to search the lower-cased text
    in one pass (a search per rule, case-insensitive, cost 16 times as much), and each rule's
    own lower-case pattern, to tell which one matched."""
    alts = [_lower_pattern(r) for r in rules]
    if not alts:
        return None
    joined = re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)")
    return joined, [(r, re.compile(a)) for r, a in zip(rules, alts, strict=True)]


@dataclass(frozen=True)
class RuleSet:
    """Every label's compiled rules."""

    patterns: Mapping[str, Sequence[tuple[str, Any]]]
    switched_off: set[str] = field(default_factory=set, compare=False)
    """Expressions that ran past their time limit: no longer searched by this set."""
    _joined: dict[str, tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]]] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _regex: dict[str, list[tuple[str, Any]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for label, pats in self.patterns.items():
            self._joined[label] = _combined([r for r, _p in pats if not _is_regex(r)])
            self._regex[label] = [(r, p) for r, p in pats if _is_regex(r)]

    @classmethod
    def from_rules(cls, rules: Mapping[str, Sequence[str]]) -> RuleSet:
        return cls(
            {
                label: tuple((r, parse_rule(r)) for r in lines)
                for label, lines in rules.items()
                if lines
            }
        )

    @property
    def labels(self) -> list[str]:
        return sorted(self.patterns)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def match(self, text: str) -> dict[str, str]:
        """Label -> a rule that fires on ``text`` (the first in the text)."""
        return self.match_many([text])[0]

    def match_many(self, texts: Sequence[str]) -> list[dict[str, str]]:
        """``match`` for each text. The rules are searched over all the texts joined (by a
        NUL, which no word rule can match across), in C, jumping to the next text after a
        hit: a 5 MB document's 30,000 sentences cost a pass per label, not a call per
        sentence and rule."""
        out: list[dict[str, str]] = [{} for _ in texts]
        if not texts or not self.patterns:
            return out
        joined = "\x00".join(texts)
        lower = joined.lower()
        starts: list[int] = []
        pos = 0
        for t in texts:
            starts.append(pos)
            pos += len(t) + 1
        starts.append(pos)
        aligned = len(lower) == len(joined)  # lower-casing kept every offset (nearly always)
        for label, pats in self.patterns.items():
            combined = self._joined.get(label)
            if combined is not None:
                which: dict[str, str] = {}
                if aligned:
                    self._scan(combined[0], lower, starts, out, label, combined[1], which)
                else:
                    for i, t in enumerate(texts):
                        m = combined[0].search(t.lower())
                        if m is not None:
                            out[i][label] = _which(m.group(), combined[1], which)
            regex = self._regex.get(label, []) if combined is not None else list(pats)
            for rule, pat in regex:
                if rule not in self.switched_off:
                    try:
                        self._search(pat, rule, label, joined, texts, starts, out)
                    except TimeoutError:
                        self.switched_off.add(rule)
                        log.warning(
                            "rule %r of %s ran past its time limit and is switched off; "
                            "rewrite it without nested repeats",
                            rule,
                            label,
                        )
        return out

    @staticmethod
    def _search(
        pat: Any,
        rule: str,
        label: str,
        joined: str,
        texts: Sequence[str],
        starts: list[int],
        out: list[dict[str, str]],
    ) -> None:
        """Expressions run over the original text; a hit that crosses two texts is ignored
        here, and those texts are searched one by one. Every search has a time limit."""
        limit = MATCH_TIMEOUT_S + MATCH_S_PER_CHAR * len(joined)
        pos, end = 0, len(joined)
        while pos < end:
            m = pat.search(joined, pos, timeout=limit)
            if m is None:
                break
            i = bisect_right(starts, m.start()) - 1
            if m.end() <= starts[i + 1] - 1 or m.start() == m.end():
                out[i].setdefault(label, rule)
            else:
                t = texts[i]
                if label not in out[i] and pat.search(t, timeout=limit):
                    out[i][label] = rule
            pos = starts[i + 1]

    @staticmethod
    def _scan(
        pattern: re.Pattern[str],
        lower: str,
        starts: list[int],
        out: list[dict[str, str]],
        label: str,
        rules: list[tuple[str, re.Pattern[str]]],
        which: dict[str, str],
    ) -> None:
        pos, end = 0, len(lower)
        while pos < end:
            m = pattern.search(lower, pos)
            if m is None:
                return
            i = bisect_right(starts, m.start()) - 1
            out[i].setdefault(label, _which(m.group(), rules, which))
            pos = starts[i + 1]  # one hit a text is enough


def _which(word: str, rules: list[tuple[str, re.Pattern[str]]], seen: dict[str, str]) -> str:
    """The rule whose pattern matched ``word`` (remembered: the same words recur)."""
    got = seen.get(word)
    if got is None:
        got = seen[word] = next((r for r, p in rules if p.fullmatch(word)), rules[0][0])
    return got
