"""Seed rules: words and phrases that propose a label before any passage is tagged.

One rule a line, matched case-insensitively on word boundaries:

- ``ceasefire`` or ``peace talks``: the word or phrase (any run of spaces between words);
- ``sanction*``: ``*`` stands for any letters, so this matches sanction, sanctions, sanctioned;
- ``/\\bGDP\\b/``: between slashes, a Python regular expression (case-insensitive too).

Blank lines and lines starting with ``#`` are ignored.

Patterns run with the ``regex`` module and a time limit: a lead's (or anyone's) pattern
with catastrophic backtracking, such as ``/(a|aa)+$/``, is refused when it is saved if
it is slow on a probe text, and a pattern that still runs past its limit on some passage
is switched off for the rest of that rule set (logged once), never hanging the scoring.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import regex

from annotator.core.errors import AnnotatorError

log = logging.getLogger(__name__)

MATCH_TIMEOUT_S = 0.05
"""Longest one rule may search one passage (a passage is a sentence; ordinary patterns
take microseconds)."""
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

    With ``check`` a regular expression is also run on a few probe texts that make
    nested quantifiers backtrack, and refused if any takes over ``CHECK_TIMEOUT_S``.
    """
    r = rule.strip()
    if len(r) >= 2 and r.startswith("/") and r.endswith("/"):
        try:
            pat = regex.compile(r[1:-1], regex.IGNORECASE | regex.V0)
        except regex.error as exc:
            raise AnnotatorError(f"Rule {rule!r} is not a valid regular expression: {exc}") from exc
        if check:
            for probe in _PROBES:
                try:
                    pat.search(probe, timeout=CHECK_TIMEOUT_S)
                except TimeoutError:
                    raise AnnotatorError(
                        f"Rule {rule!r} is too slow: it backtracks without end on some text "
                        "(a repeated group inside a repeat, like (\\w+\\s?)+). Write it "
                        "without the nested repeat, or as words (sanction*)."
                    ) from None
        return pat
    words = r.split()
    if not words:
        raise AnnotatorError("A rule cannot be empty.")
    parts = [regex.escape(w).replace(r"\*", r"\w*") for w in words]
    return regex.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", regex.IGNORECASE)


def rule_lines(text: str) -> list[str]:
    """The rules in a block of text (the label dialog's editor): one a line, comments dropped."""
    out = []
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith("#"):
            out.append(s)
    return out


@dataclass(frozen=True)
class RuleSet:
    """Every label's compiled rules."""

    patterns: Mapping[str, Sequence[tuple[str, Any]]]
    switched_off: set[str] = field(default_factory=set, compare=False)
    """Rules that ran past their time limit: no longer searched by this set."""

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
        for label, pats in self.patterns.items():
            for rule, pat in pats:
                if rule in self.switched_off:
                    continue
                try:
                    found = pat.search(text, timeout=MATCH_TIMEOUT_S)
                except TimeoutError:
                    self.switched_off.add(rule)
                    log.warning(
                        "rule %r of %s ran past %.2f s on a passage of %d characters and is "
                        "switched off; rewrite it without nested repeats",
                        rule,
                        label,
                        MATCH_TIMEOUT_S,
                        len(text),
                    )
                    continue
                if found:
                    hits[label] = rule
                    break
        return hits
