"""Reading source written for a newer Python than the one running, for the index's summaries.

Summaries are made from the standard library's ``ast``, which parses only the grammar of the
running interpreter: a project on newer syntax would lose those modules' facts. LibCST parses
the newer grammars too, so ``downgraded_tree`` parses such a module with it, rewrites what the
running ``ast`` rejects into code it accepts, with the same definitions, and parses that:

- type parameters (PEP 695, with PEP 696 defaults) are dropped: ``def f[T](x: T)`` and
  ``class Box[T]:`` become ``def f(x: T)`` and ``class Box:``;
- ``type Alias = value`` (PEP 695) becomes ``Alias = value``;
- ``except A, B:`` (PEP 758) gets its parentheses, and ``except*`` (PEP 654) becomes
  ``except`` (for interpreters before 3.11);
- f-strings (PEP 701 lets them reuse their quotes, span lines and hold comments) and
  t-strings (PEP 750) become ``("" % (expression, ...))``: a value built from the same
  expressions, so the calls written in them are still seen.

A summary records no positions, so the rewritten code need not keep lines or columns.

Most such modules use only the first three, which a rewrite of their lines undoes
(``by_lines``) for a fraction of the cost of a LibCST parse and rewrite: that is tried first,
and LibCST reads the module when the result still does not parse.
"""

from __future__ import annotations

import ast
import io
import os
import re
import threading
import tokenize
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import libcst as cst

# LibCST's native parser recurses once per nesting level, and a deeply nested module could
# overflow the stack of the thread that summarises (the process would die, not raise): it
# runs on a thread of its own with a large stack (reserved address space, touched only as
# deep as a module goes).
_STACK_BYTES = 512 * 1024 * 1024
_parser_thread: tuple[int, ThreadPoolExecutor] | None = None
_T = TypeVar("_T")


def downgraded_tree(source: str | bytes) -> ast.Module | None:
    """The ``ast`` of ``source`` read through LibCST and rewritten into syntax the running
    Python parses; None when neither reads it."""
    try:
        return _on_large_stack(_downgraded_tree, source)
    except (RecursionError, MemoryError):
        return None


def downgrade(source: str | bytes, module: cst.Module | None = None) -> str | None:
    """``source`` rewritten into syntax the running Python parses (see the module's notes);
    None when LibCST cannot parse it. ``module``: the source's tree, when parsed already."""
    if module is None:
        try:
            module = cst.parse_module(source)
        except (cst.ParserSyntaxError, SyntaxError, ValueError, UnicodeError, LookupError):
            return None  # not Python, or not decodable (a bad coding cookie: SyntaxError)
    return module.visit(_Downgrade()).code


def _downgraded_tree(source: str | bytes) -> ast.Module | None:
    code = by_lines(source)
    if code is not None:
        try:
            return ast.parse(code)
        except (SyntaxError, ValueError):
            pass
    code = downgrade(source)
    if code is None:
        return None
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):
        return None


# The start of a line that may hold newer syntax: a generic function or class, a type alias,
# an ``except`` naming several classes without parentheses.
_NEWER_LINE = re.compile(
    r"^[ \t]*(?:(?:async[ \t]+)?def[ \t]+\w+[ \t]*(?=\[)|class[ \t]+\w+[ \t]*(?=\[)"
    r"|type[ \t]+\w+[ \t]*(?=[\[=])|except[ \t]+(?=[^(\s*]))",
    re.MULTILINE,
)
_OPENING = {"[": "]", "(": ")", "{": "}"}


def by_lines(source: str | bytes) -> str | None:
    """``source`` with the type parameters of its functions, classes and aliases dropped, its
    ``type`` aliases made assignments and the classes its ``except`` clauses list
    parenthesised; None when it cannot be decoded. Lines inside a string are rewritten too
    (the caller parses the result, and reads the module through LibCST when it fails)."""
    if isinstance(source, bytes):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
            source = source.decode(encoding)
        except (SyntaxError, LookupError, UnicodeDecodeError):
            return None
    parts: list[str] = []
    done = 0
    for match in _NEWER_LINE.finditer(source):
        if match.start() < done:
            continue
        head, position = match.group(), match.end()
        keyword = head.split(maxsplit=1)[0]
        if keyword == "except":
            close = source.find(":", position)
            names = source[position:close] if close != -1 else ""
            if "," in names and not any(mark in names for mark in ("\n", " as ", "#")):
                parts += [source[done:position], f"({names})"]
                done = close
            continue
        keep = source[done:position]
        if keyword == "type":  # ``type X`` -> ``X``, indented as it was
            indent = head[: len(head) - len(head.lstrip())]
            keep = source[done : match.start()] + indent + head.lstrip()[4:].strip()
        if source.startswith("[", position):
            close = _closing(source, position)
            if close is None:
                return None
            position = close + 1
        if keyword == "type":
            equals = _EQUALS.match(source, position)
            if equals is None:
                return None
            keep += " ="
            position = equals.end()
        parts.append(keep)
        done = position
    parts.append(source[done:])
    return "".join(parts)


_EQUALS = re.compile(r"[ \t]*=")


def _closing(source: str, start: int) -> int | None:
    """The position of the bracket that closes the one at ``start``; None when a string or
    a comment comes first (not a simple type parameter list)."""
    expected = [_OPENING[source[start]]]
    for position in range(start + 1, len(source)):
        char = source[position]
        if char in _OPENING:
            expected.append(_OPENING[char])
        elif char in ")]}":
            if char != expected.pop():
                return None
            if not expected:
                return position
        elif char in "\"'#":
            return None
    return None


def _on_large_stack(function: Callable[..., _T], *args: object) -> _T:
    global _parser_thread
    if _parser_thread is None or _parser_thread[0] != os.getpid():  # none yet, or forked
        previous = threading.stack_size(_STACK_BYTES)
        try:
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asynclint-read")
            executor.submit(int).result()  # the thread starts now, with the large stack
        finally:
            threading.stack_size(previous)
        _parser_thread = (os.getpid(), executor)
    return _parser_thread[1].submit(function, *args).result()


_Generic = TypeVar("_Generic", cst.FunctionDef, cst.ClassDef)


def _without_type_parameters(node: _Generic) -> _Generic:
    """``def f[T](...)`` / ``class C[T]:`` without the ``[T]`` (PEP 695)."""
    if node.type_parameters is None:
        return node
    return node.with_changes(
        type_parameters=None, whitespace_after_type_parameters=cst.SimpleWhitespace("")
    )


class _Downgrade(cst.CSTTransformer):
    """Rewrites newer syntax into the oldest Python the summaries are made on."""

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        return _without_type_parameters(updated_node)

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        return _without_type_parameters(updated_node)

    def leave_TypeAlias(
        self, original_node: cst.TypeAlias, updated_node: cst.TypeAlias
    ) -> cst.Assign:
        target = cst.AssignTarget(updated_node.name)
        return cst.Assign([target], updated_node.value, semicolon=updated_node.semicolon)

    def leave_ExceptHandler(
        self, original_node: cst.ExceptHandler, updated_node: cst.ExceptHandler
    ) -> cst.ExceptHandler:
        return updated_node.with_changes(type=_parenthesised_tuple(updated_node.type))

    def leave_TryStar(self, original_node: cst.TryStar, updated_node: cst.TryStar) -> cst.Try:
        handlers = [
            cst.ExceptHandler(
                handler.body,
                _parenthesised_tuple(handler.type),
                handler.name,
                handler.leading_lines,
                whitespace_before_colon=handler.whitespace_before_colon,
            )
            for handler in updated_node.handlers
        ]
        return cst.Try(
            updated_node.body,
            handlers,
            updated_node.orelse,
            updated_node.finalbody,
            updated_node.leading_lines,
            updated_node.whitespace_before_colon,
        )

    # Strings are rewritten whole, from the expressions inside them: their parts are not
    # visited on their own.
    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        return False

    def visit_TemplatedString(self, node: cst.TemplatedString) -> bool:
        return False

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        return False

    def leave_FormattedString(
        self, original_node: cst.FormattedString, updated_node: cst.FormattedString
    ) -> cst.BaseExpression:
        return self._built([updated_node])

    def leave_TemplatedString(
        self, original_node: cst.TemplatedString, updated_node: cst.TemplatedString
    ) -> cst.BaseExpression:
        return self._built([updated_node])

    def leave_ConcatenatedString(
        self, original_node: cst.ConcatenatedString, updated_node: cst.ConcatenatedString
    ) -> cst.BaseExpression:
        parts = list(_concatenated(updated_node))
        if not any(isinstance(p, (cst.FormattedString, cst.TemplatedString)) for p in parts):
            return updated_node
        return self._built(parts)

    def _built(self, strings: Sequence[cst.CSTNode]) -> cst.BaseExpression:
        """``("" % (e1, e2, ...))`` of the expressions inside ``strings`` (rewritten too)."""
        expressions = [
            expression.visit(self) for string in strings for expression in _expressions(string)
        ]
        elements = [
            cst.Element(_parenthesised(e)) for e in expressions if isinstance(e, cst.BaseExpression)
        ]
        empty = cst.SimpleString('""')
        if not elements:
            return empty
        return cst.BinaryOperation(
            empty,
            cst.Modulo(),
            cst.Tuple(elements),
            lpar=[cst.LeftParen()],
            rpar=[cst.RightParen()],
        )


def _concatenated(node: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """The strings of an implicit concatenation, left to right."""
    while isinstance(node, cst.ConcatenatedString):
        yield from _concatenated(node.left)
        node = node.right
    yield node


def _expressions(node: cst.CSTNode) -> Iterator[cst.BaseExpression]:
    """The expressions written in an f-string or t-string (or one of its parts), format
    specs included."""
    expression = getattr(node, "expression", None)
    if isinstance(expression, cst.BaseExpression):
        yield expression
    for part in [*getattr(node, "parts", ()), *(getattr(node, "format_spec", None) or ())]:
        yield from _expressions(part)


def _parenthesised(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(
        lpar=[cst.LeftParen(), *node.lpar], rpar=[*node.rpar, cst.RightParen()]
    )


def _parenthesised_tuple(node: cst.BaseExpression | None) -> cst.BaseExpression | None:
    """``A, B`` of ``except A, B:`` (PEP 758) as ``(A, B)``."""
    if isinstance(node, cst.Tuple) and not node.lpar:
        return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return node
