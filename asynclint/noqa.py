"""``# noqa`` comments: per line (``# noqa``, ``# noqa: AL201,AL301``), per function (``# noqa:
AL401`` with codes on a ``def`` line covers the function's body) and per file, on a line of its
own: ``# asynclint: noqa`` (or flake8's ``# flake8: noqa``) silences everything in the file,
``# asynclint: noqa: AL201`` (or ``# flake8: noqa: AL201``, as ruff reads it) only those codes.

A rule may name the codes of peers that report the same mistake (``noqa_aliases``, for example
flake8-async's ``ASYNC251`` for AL201): a ``# noqa`` written for the peer silences it too, so
code already annotated for flake8-async or ruff needs no second comment.

Comments are found with the tokenizer, so ``"# noqa"`` inside a string does not count. Only files
that have findings are tokenized.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field

# The codes of a ``# noqa: ...`` (``AL201``, ``AL201,AL301``, ``AL201 AL301``: flake8 forms).
CODES = r"[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*"
# ``# noqa``, ``# noqa: AL201``, ``# noqa:AL201,AL301``, ``# NOQA: AL201 AL301``
LINE_NOQA = re.compile(rf"#\s*noqa(?::\s?(?P<codes>{CODES}))?", re.IGNORECASE)
# A file-level directive: a comment on a line of its own naming asynclint or flake8, then noqa,
# with or without a colon and codes (text may follow the codes). Without codes, flake8 takes
# its own form followed by any text but a colon (a reason); asynclint's form must end there.
_FILE_NOQA = re.compile(
    rf"^#\s*(?:(?P<own>asynclint)|flake8)\s*:\s*noqa"
    rf"(?:\s*:\s*(?P<codes>{CODES})(?:\s.*)?$|(?(own)\s*$|(?:\s.*)?$))",
    re.IGNORECASE,
)

ALL = None  # a bare ``# noqa``: every code


# What separates the codes of a directive's list.
CODE_SEPARATOR = re.compile(r"[,\s]+")


def split_codes(text: str) -> list[str]:
    """The codes of a ``# noqa`` directive's list (``LINE_NOQA``'s ``codes``), upper-cased."""
    return [code.upper() for code in CODE_SEPARATOR.split(text) if code]


@dataclass
class Suppressions:
    file_level: bool  # a bare file-level directive: every code, everywhere in the file
    # line -> set of codes, or ALL for a bare noqa
    lines: dict[int, frozenset[str] | None]
    # line of a file-level directive with codes -> its codes, silenced in the whole file
    file_codes: dict[int, frozenset[str]] = field(default_factory=dict)

    # The codes each line's comment has silenced so far (``suppresses``), for AL002.
    used: dict[int, set[str]] = field(default_factory=dict)

    @property
    def with_codes(self) -> bool:
        """Whether any directive names codes (what AL002 judges), with no bare file-level one
        (which silences everything, so no code of it can be unused)."""
        return bool(self.lines or self.file_codes) and not self.file_level

    def suppresses(self, codes: Iterable[str], *lines: int) -> bool:
        """Whether a finding reported under any of ``codes`` on any of ``lines`` is silenced."""
        if self.file_level:
            return True
        for line, listed in self.file_codes.items():
            matched = listed.intersection(codes)
            if matched:
                self.used.setdefault(line, set()).update(matched)
                return True
        for line in lines:
            if line in self.lines:
                listed = self.lines[line]
                if listed is ALL:
                    return True
                matched = listed.intersection(codes)
                if matched:
                    self.used.setdefault(line, set()).update(matched)
                    return True
        return False

    def suppresses_in_function(self, codes: Iterable[str], def_lines: Iterable[int]) -> bool:
        """Whether a ``# noqa: CODE`` naming one of ``codes`` stands on the ``def`` line of a
        function the finding is in. A bare ``# noqa`` there covers only its own line."""
        for line in def_lines:
            listed = self.lines.get(line, ALL)
            if listed is not ALL:
                matched = listed.intersection(codes)
                if matched:
                    self.used.setdefault(line, set()).update(matched)
                    return True
        return False


def _comments(source: str) -> list[tuple[int, str, bool]]:
    """Each comment's line, its text, and whether it stands on a line of its own."""
    physical = source.split("\n")  # the lines as the tokenizer counts them
    try:
        tokens = tokenize.generate_tokens(io.StringIO(source).readline)
        return [
            (t.start[0], t.string, not physical[t.start[0] - 1][: t.start[1]].strip())
            for t in tokens
            if t.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, SyntaxError):
        # Tokenizing can fail where LibCST succeeded (or the reverse); fall back to a plain
        # scan of the lines, which may also see a "# noqa" written inside a string.
        return [
            (number, line[line.index("#") :], not line[: line.index("#")].strip())
            for number, line in enumerate(physical, start=1)
            if "#" in line
        ]


def find_suppressions(source: str) -> Suppressions:
    if "noqa" not in source.lower():
        return Suppressions(False, {})
    file_level = False
    lines: dict[int, frozenset[str] | None] = {}
    file_codes: dict[int, frozenset[str]] = {}
    for line, comment, own_line in _comments(source):
        whole_file = _FILE_NOQA.match(comment.strip()) if own_line else None
        if whole_file and whole_file.group("codes"):
            file_codes[line] = frozenset(split_codes(whole_file.group("codes")))
            continue
        if whole_file:
            file_level = True
            continue
        match = LINE_NOQA.search(comment)
        if not match:
            continue
        if match.group("codes"):
            codes = frozenset(split_codes(match.group("codes")))
            previous = lines.get(line, frozenset())
            lines[line] = ALL if previous is ALL else codes | (previous or frozenset())
        else:
            lines[line] = ALL
    return Suppressions(file_level, lines, file_codes)
