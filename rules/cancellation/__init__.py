"""AL303 swallowed-cancellation: an ``except`` that catches cancellation and never re-raises.

- ``rule``: the rule, its page and messages; ``examples``: its examples;
- ``handler``: whether a handler passes the caught exception on;
- ``arrival``: whether the current task's cancellation can reach the ``try`` body;
- ``requests``: the ``.cancel()`` calls before the ``try``, and what each one cancelled.
"""

from __future__ import annotations

from asynclint.rules.cancellation.rule import SwallowedCancellation

__all__ = ["SwallowedCancellation"]
