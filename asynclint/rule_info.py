"""A rule as the command line sees it before any file is checked: its code, name, summary,
fix and whether it runs by default, without the rule's code (which loads LibCST)."""

from __future__ import annotations

from dataclasses import dataclass

from asynclint.diagnostics import Applicability


@dataclass(frozen=True)
class RuleInfo:
    """What ``asynclint/catalogue.py`` records of one rule class of ``asynclint.rules``."""

    code: str
    name: str
    summary: str
    fix_applicability: Applicability | None
    default_enabled: bool = True
    # Whether the rule's facts need the project index (``Rule.uses_index``).
    needs_index: bool = False

    def uses_index(self) -> bool:
        return self.needs_index
