"""What a lint run produces: findings, their fixes, and problems with the input itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a run whose every result is kept never loads LibCST
    import libcst as cst


# Not a rule: the code of a file that does not parse.
SYNTAX_ERROR_CODE = "AL001"
SYNTAX_ERROR_NAME = "syntax-error"


class Applicability(str, Enum):
    """How safe a fix is: safe fixes run with ``--fix``, unsafe ones need ``--unsafe-fixes``."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class ImportNeeded:
    """An import a fix relies on: ``import module`` or ``from module import name``."""

    module: str
    name: str | None = None


@dataclass(frozen=True, eq=False)
class Fix:
    """A rewrite of the tree: each original node (by identity) is replaced by a new node."""

    description: str
    replacements: tuple[tuple[cst.CSTNode, cst.CSTNode], ...]
    applicability: Applicability
    imports: tuple[ImportNeeded, ...] = ()


@dataclass(frozen=True)
class Location:
    """1-based line, 1-based column (as flake8 and ruff print them)."""

    line: int
    column: int


@dataclass(frozen=True)
class Edit:
    """One change a fix makes to the source text: ``content`` replaces what lies from ``start``
    to ``end`` (``end`` excluded; equal to ``start`` for an insertion)."""

    content: str
    start: Location
    end: Location


@dataclass(frozen=True)
class Diagnostic:
    """One finding, ready to report. Picklable: it crosses process boundaries."""

    path: str
    code: str
    name: str
    message: str
    start: Location
    end: Location
    # The line a suppression comment may stand on besides ``start.line``: the first line of the
    # statement that holds the reported node.
    statement_line: int
    fix_applicability: Applicability | None = None
    fix_description: str | None = None
    # What the fix changes, as text edits (when asked for: JSON output)
    fix_edits: tuple[Edit, ...] = ()

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.start.line, self.start.column, self.code)


@dataclass(frozen=True)
class Problem:
    """Something that kept a file from being linted fully: unreadable, crashed rule, failed fix.

    Problems are printed on standard error and make the exit code 2. ``internal`` marks the
    ones that are asynclint's fault (a crashed rule, a fix that failed verification).
    """

    path: str
    message: str
    internal: bool = False


@dataclass
class FileResult:
    """Everything one file produced."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    fixed_count: int = 0
    # The code of each fix applied (``--show-fixes``)
    fixed_codes: tuple[str, ...] = ()
    # The fixed source when fixes were applied (``--diff`` prints it, stdin mode echoes it).
    original_source: str | None = None
    fixed_source: str | None = None
    # Whether the file is test code (``test-paths``), and the findings the test profile held
    # back there (counted in the summary, never printed).
    is_test: bool = False
    held_back: list[Diagnostic] = field(default_factory=list)
    # What the checks asked of the project index (an ``index.Trace``), when the run keeps
    # results for the next one.
    trace: object = None


@dataclass(frozen=True)
class FixMode:
    """Which fixes to apply: safe ones always, unsafe ones on request."""

    unsafe: bool = False
    # Only the fix of one finding: its code and where it starts (line, column), as an editor's
    # quick fix asks. Its round is the only one.
    only: tuple[str, int, int] | None = None
    # The codes whose fixes may apply (``fixable`` and ``unfixable``), None for every code: the
    # findings of the others are reported without a fix.
    fixable: frozenset[str] | None = None
    # Apply the fixes (``--fix``, ``--diff``); without, findings only keep or lose their fix.
    apply: bool = True
    # Give each finding that remains its fix's text edits (``Diagnostic.fix_edits``).
    edits: bool = False

    def allows(self, fix: Fix) -> bool:
        return fix.applicability is Applicability.SAFE or self.unsafe

    def fixes(self, code: str) -> bool:
        """Whether the findings of ``code`` keep their fix (``fixable``, ``unfixable``)."""
        return self.fixable is None or code in self.fixable

    @property
    def key(self) -> tuple[object, ...]:
        """What decides a result, for the result cache."""
        fixable = None if self.fixable is None else tuple(sorted(self.fixable))
        return (self.unsafe, self.only, fixable, self.apply, self.edits)

    def wants(self, diagnostic: Diagnostic) -> bool:
        """Whether the fix of ``diagnostic``'s finding is asked for (``only``)."""
        if self.only is None:
            return True
        return self.only == (diagnostic.code, diagnostic.start.line, diagnostic.start.column)
