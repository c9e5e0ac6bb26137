"""The rules, one module per documented mistake. ``ALL_RULES`` is ordered by code."""

from __future__ import annotations

from asynclint.rules.blocking_sleep import BlockingSleep

from asynclint.rule import Rule

ALL_RULES: tuple[type[Rule], ...] = tuple(
    sorted(
        [
            BlockingSleep,
        ],
        key=lambda rule: rule.code,
    )
)
RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}
