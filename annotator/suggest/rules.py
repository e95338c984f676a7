"""Seed rules: words and phrases that propose a label before any passage is tagged.

One rule a line, matched case-insensitively on word boundaries:

- ``ceasefire`` or ``peace talks``: the word or phrase (any run of spaces between words);
- ``sanction*``: ``*`` stands for any letters, so this matches sanction, sanctions, sanctioned;
- ``/\\bGDP\\b/``: between slashes, a Python regular expression (case-insensitive too).

Blank lines and lines starting with ``#`` are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from annotator.core.errors import AnnotatorError


def parse_rule(rule: str) -> re.Pattern[str]:
    """The compiled pattern of one rule line; a clear error for a bad regular expression."""
    r = rule.strip()
    if len(r) >= 2 and r.startswith("/") and r.endswith("/"):
        try:
            return re.compile(r[1:-1], re.IGNORECASE)
        except re.error as exc:
            raise AnnotatorError(f"Rule {rule!r} is not a valid regular expression: {exc}") from exc
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


def _combined(rules: Sequence[str]) -> tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]]] | None:
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

    patterns: Mapping[str, Sequence[tuple[str, re.Pattern[str]]]]
    _joined: dict[str, tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]]] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _regex: dict[str, list[tuple[str, re.Pattern[str]]]] = field(
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
        """Label -> the first rule that fires on ``text``."""
        hits: dict[str, str] = {}
        lower = text.lower()
        for label, pats in self.patterns.items():
            joined = self._joined.get(label)
            if joined is not None:
                m = joined[0].search(lower)
                if m is not None:
                    word = m.group()
                    hits[label] = next((r for r, p in joined[1] if p.fullmatch(word)), joined[1][0][0])
                    continue
                pats = self._regex[label]  # no word rule fires: only the expressions left
            for rule, pat in pats:
                if pat.search(text):
                    hits[label] = rule
                    break
        return hits
