"""Check ``asynclint/data/blocking.toml`` against the libraries' source code.

Every name of the catalogue is located in the source of the library it names (an installed
site-packages directory and the standard library), read and parsed with :mod:`ast`; nothing is
imported. Names are resolved as ``tests/check_library_table.py`` resolves them (re-exports,
``__all__`` and star imports, ``X = Y`` aliases, class bases), with its code. Then:

- ``[calls]``: the name must exist, and must not be asynchronous: an ``async def``, or a plain
  ``def`` that returns a coroutine or another awaitable, would make the entry a false report.
  A method's class must be listed in ``[classes]`` (itself or through an alias), so that the
  rules can find the method from an instance. A ``Class.*`` entry needs a class whose
  attributes are made at runtime (``__getattr__``);
- ``[classes]``: the class must exist; each name listed under it must be the class, a subclass,
  or a callable whose return annotation, returned value or docstring names the class;
- ``[allowed]``: the name must exist.

When the implementation does not tell (a C extension such as ``time``, ``socket`` or
``sqlite3``, a name bound at runtime), the type stubs are read instead: stubs a package ships
(``.pyi`` beside the module, or a ``<name>-stubs`` package such as types-psycopg2's) and
typeshed's stubs of the standard library (found in an installed mypy, or given with
``--stubs``); typeshed also knows the names newer Pythons add.

An entry that still cannot be checked must carry a note in the TOML: a comment starting with
``unchecked:`` on the entry's line, or heading its group of lines (a group ends at a blank line).
A note on an entry that the source confirms is stale and reported.

This is a developer tool, not a test. Run it with an interpreter where asynclint is installed
(it reads the catalogue with asynclint's own loader, which validates it first). Usage::

    python3 -m venv /tmp/libvenv
    /tmp/libvenv/bin/pip install requests urllib3 httpx psycopg2-binary types-psycopg2 psycopg \
        pymysql redis pymongo sqlalchemy mypy   # mypy for typeshed's stdlib stubs
    python tests/check_blocking_catalogue.py \
        --site-packages /tmp/libvenv/lib/python3.11/site-packages

Exit status: 0 when every entry is found (or documented as unchecked) and none is asynchronous,
1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from check_library_table import (
    ClassTarget,
    DefTarget,
    Inferrer,
    Missing,
    ModuleTarget,
    Resolver,
    Target,
    ValueTarget,
    add_source_arguments,
    source_resolvers,
    type_candidates,
)

from asynclint.knowledge.blocking import BlockingCatalogue, parse_blocking_catalogue

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "asynclint" / "data" / "blocking.toml"

ASYNC_KINDS = {"coroutine", "awaitable", "async-context-manager", "async-iterator", "task"}
NOTE = "unchecked:"
PROBLEMS = ("async", "missing", "mismatch", "unlisted", "undocumented", "stale")


@dataclass
class Outcome:
    section: str  # "calls", "classes", "aliases" (a name listed under a class) or "allowed"
    key: str
    # "verified" (implementation), "stub", "unchecked" (has a note), or one of PROBLEMS
    status: str
    detail: str


# ----------------------------------------------------------------------------------------------
# Notes in the TOML


def entry_notes(text: str) -> dict[tuple[str, str], str]:
    """(section, name) -> the ``unchecked:`` note that applies to it. Names listed under a class
    (the lines of a ``[classes]`` array) are in the section "aliases"."""
    notes: dict[tuple[str, str], str] = {}
    section = ""
    group_note = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            group_note = ""
            continue
        header = re.fullmatch(r"\[([\w.-]+)\]", line)
        if header:
            section, group_note = header.group(1).split(".")[0], ""
            continue
        if line.startswith("#"):
            comment = line.lstrip("#").strip()
            if comment.startswith(NOTE):
                group_note = comment
            continue
        entry = re.match(r'"([^"]+)"\s*=\s*(.*)$', line)
        item = re.match(r'"([^"]+)",?\s*(#.*)?$', line)
        if entry:
            name, where, rest = entry.group(1), section, entry.group(2)
        elif item:
            name, where, rest = item.group(1), "aliases", item.group(2) or ""
        else:
            continue
        inline = rest.split("#", 1)
        note = inline[1].strip() if len(inline) == 2 else ""
        if note.startswith(NOTE):
            notes[(where, name)] = note
        elif group_note:
            notes[(where, name)] = group_note
    return notes


# ----------------------------------------------------------------------------------------------
# The check


class Checker:
    def __init__(
        self, catalogue: BlockingCatalogue, implementation: Resolver, stubs: Resolver
    ) -> None:
        self.catalogue = catalogue
        self.resolvers = (("source", implementation), ("stub", stubs))

    def find(self, name: str) -> tuple[str, Target, Resolver] | Missing:
        """The first resolver that finds ``name`` as a definition, with what it found."""
        reasons: list[str] = []
        installed = False
        for label, resolver in self.resolvers:
            target = resolve(resolver, name)
            if isinstance(target, Missing):
                installed = installed or target.found_module
                reasons.append(f"{label}: {target.reason}")
                continue
            if isinstance(target, ValueTarget) and label == "source":
                reasons.append(f"{label}: bound to `{ast.unparse(target.node)[:50]}`")
                continue
            return label, target, resolver
        # "has no": the module is there and neither its source nor its stubs define the name
        absent = all(" has no " in reason for reason in reasons)
        return Missing("; ".join(reasons), found_module=installed and not absent)

    def check_call(self, name: str) -> tuple[str, str]:
        if name.endswith(".*"):
            return self.check_wildcard(name[:-2])
        found = self.find(name)
        if isinstance(found, Missing):
            return ("missing" if not found.found_module else "unchecked"), found.reason
        label, target, resolver = found
        if isinstance(target, ModuleTarget):
            return "mismatch", "a module, not a callable"
        owner = self.owner_class(resolver, name)
        inferred = Inferrer(resolver).call_kind(target, owner)
        if inferred.certain and inferred.kinds & ASYNC_KINDS:
            return "async", f"{sorted(inferred.kinds)}: {inferred.why}"
        listed = self.catalogue.class_of_constructor(name.rpartition(".")[0])
        if owner is not None and listed is None:
            return "unlisted", f"its class {owner.qualname} is not in [classes]"
        return ("verified" if label == "source" else "stub"), inferred.why or _where(target)

    def check_wildcard(self, cls: str) -> tuple[str, str]:
        found = self.find(cls)
        if isinstance(found, Missing):
            return ("missing" if not found.found_module else "unchecked"), found.reason
        label, target, resolver = found
        if not isinstance(target, ClassTarget):
            return "mismatch", f"{cls} is not a class"
        getattr_ = resolver.class_member(target, "__getattr__")
        if not isinstance(getattr_, DefTarget):
            return "mismatch", f"{cls} makes no attributes at runtime (no __getattr__)"
        if isinstance(getattr_.node, ast.AsyncFunctionDef):
            return "async", f"__getattr__ at {_where(getattr_)} is async"
        status = "verified" if label == "source" else "stub"
        return status, f"attributes from __getattr__ at {_where(getattr_)}"

    def check_class(self, cls: str) -> tuple[str, str]:
        found = self.find(cls)
        if isinstance(found, Missing):
            return ("missing" if not found.found_module else "unchecked"), found.reason
        seen: list[str] = []
        for label, resolver in self.resolvers:  # a factory function at runtime may be typed
            target = resolver.resolve(cls)  # as the class it returns
            if isinstance(target, ClassTarget):
                status = "verified" if label == "source" else "stub"
                return status, f"class at {_where(target)}"
            seen.append(f"{label}: {_where(target)}")
        return "mismatch", f"not a class ({'; '.join(seen)})"

    def check_alias(self, name: str, cls: str) -> tuple[str, str]:
        """``name``, listed under ``cls``, gives an instance of it."""
        reasons: list[str] = []
        installed = False
        for label, resolver in self.resolvers:
            wanted = resolver.resolve(cls)
            target = resolve(resolver, name)
            if isinstance(target, Missing) and not target.found_module:
                reasons.append(f"{label}: {target.reason}")
                continue
            installed = True
            if not isinstance(wanted, ClassTarget):
                reasons.append(f"{label}: {cls} is not a class here")
                continue
            status = "verified" if label == "source" else "stub"
            if isinstance(target, ClassTarget):
                if wanted.key in {base.key for base in resolver.mro(target)}:
                    same = wanted.key == target.key
                    return status, "the same class" if same else f"a subclass of {cls}"
                return "mismatch", f"{target.qualname} is not {cls} or a subclass of it"
            if isinstance(target, DefTarget):
                if isinstance(target.node, ast.AsyncFunctionDef):
                    return "async", f"async def at {_where(target)}"
                self_cls = self.owner_class(resolver, name)
                candidates = [
                    found
                    for overload in _overloads(target)
                    for found in type_candidates(resolver, overload, self_cls)
                ]
                for candidate, how in candidates:
                    if wanted.key in {base.key for base in resolver.mro(candidate)}:
                        return status, f"{how}: {candidate.qualname}"
                names = sorted({c.qualname for c, _ in candidates})
                reasons.append(f"{label}: returns {names[:4] or 'nothing known'}")
                continue
            reasons.append(f"{label}: {_where(target)}")
        return ("unchecked" if installed else "missing"), "; ".join(reasons)

    def check_allowed(self, name: str) -> tuple[str, str]:
        found = self.find(name)
        if isinstance(found, Missing):
            return ("missing" if not found.found_module else "unchecked"), found.reason
        label, target, _ = found
        return ("verified" if label == "source" else "stub"), _where(target)

    @staticmethod
    def owner_class(resolver: Resolver, name: str) -> ClassTarget | None:
        parent = resolver.resolve(name.rpartition(".")[0]) if "." in name else None
        return parent if isinstance(parent, ClassTarget) else None


def resolve(resolver: Resolver, name: str) -> Target:
    """What ``name`` refers to, also through module attributes known only by their annotation
    (``sys.stdin: TextIO`` in the stubs: ``sys.stdin.read`` is ``TextIO.read``) and through
    properties (``sys.stdin.buffer.read``)."""
    target = resolver.resolve(name)
    if not (isinstance(target, Missing) and "non-class value" in target.reason):
        return target
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        base = resolver.resolve(".".join(parts[:cut]))
        if not isinstance(base, ValueTarget):
            continue
        current: Target | None = _annotated_class(resolver, base.node, base)
        for index, attr in enumerate(parts[cut:], start=cut + 1):
            if current is None:
                break
            current = resolver.member(current, attr)
            if index == len(parts):
                return current
            if isinstance(current, DefTarget) and current.node.returns is not None:
                current = _annotated_class(resolver, current.node.returns, current)
            elif isinstance(current, ValueTarget):
                current = _annotated_class(resolver, current.node, current)
        break
    return target


def _annotated_class(
    resolver: Resolver, node: ast.expr, where: ValueTarget | DefTarget
) -> ClassTarget | None:
    """The class an annotation names (the first one of a union)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        node = ast.parse(node.value, mode="eval").body
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left = _annotated_class(resolver, node.left, where)
        return left or _annotated_class(resolver, node.right, where)
    if isinstance(node, ast.Subscript):
        node = node.value
    if not isinstance(node, ast.Name | ast.Attribute):
        return None
    resolved = resolver.expression(node, where.module, where.owner)
    return resolved if isinstance(resolved, ClassTarget) else None


def _overloads(target: DefTarget) -> list[DefTarget]:
    """The definitions of the same name in the same scope (a stub's ``@overload`` variants)."""
    if target.owner is not None:
        body = target.owner.node.body
    else:
        body = [b.node for b in target.module.bindings.get(target.node.name, []) if b.node]
    defs = [
        node
        for stmt in body
        for node in ast.walk(stmt)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name == target.node.name
    ]
    return [DefTarget(node, target.module, target.owner) for node in defs] or [target]


def _where(target: Target) -> str:
    if isinstance(target, ModuleTarget):
        return f"module {target.module.name}"
    if isinstance(target, Missing):
        return target.reason
    return target.module.location(target.node)


def run(path: Path, checker: Checker, verbose: bool) -> int:
    text = path.read_text(encoding="utf-8")
    catalogue = checker.catalogue
    notes = entry_notes(text)
    outcomes: list[Outcome] = []
    for name in catalogue.calls:
        outcomes.append(Outcome("calls", name, *checker.check_call(name)))
    for cls, names in catalogue.classes.items():
        outcomes.append(Outcome("classes", cls, *checker.check_class(cls)))
        for name in names:
            outcomes.append(Outcome("aliases", name, *checker.check_alias(name, cls)))
    for name in catalogue.allowed:
        outcomes.append(Outcome("allowed", name, *checker.check_allowed(name)))

    counts: dict[str, int] = {}
    for outcome in outcomes:
        note = notes.get((outcome.section, outcome.key), "")
        if outcome.status == "unchecked":
            if note:
                outcome.detail += f" [{note}]"
            else:
                outcome.status = "undocumented"
        elif outcome.status in {"verified", "stub"} and note:
            outcome.status = "stale"
            outcome.detail = f"the source confirms it: {outcome.detail} [{note}]"
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        problem = outcome.status in PROBLEMS
        if problem or verbose:
            label = outcome.status.upper() if problem else outcome.status
            print(f"{label:<12} [{outcome.section}] {outcome.key}: {outcome.detail}")
    print()
    print(
        f"{len(outcomes)} entries: {counts.get('verified', 0)} found in the implementation, "
        f"{counts.get('stub', 0)} in type stubs, {counts.get('unchecked', 0)} documented as "
        f"unchecked; {counts.get('async', 0)} asynchronous, {counts.get('missing', 0)} not "
        f"found, {counts.get('mismatch', 0)} mismatches, {counts.get('unlisted', 0)} methods "
        f"of classes not in [classes], {counts.get('undocumented', 0)} unchecked without a "
        f"note, {counts.get('stale', 0)} stale notes"
    )
    return 1 if any(counts.get(status) for status in PROBLEMS) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_source_arguments(parser)
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every entry")
    args = parser.parse_args(argv)

    catalogue = parse_blocking_catalogue(args.catalogue.read_text(encoding="utf-8"))
    implementation, stubs = source_resolvers(args)
    return run(args.catalogue, Checker(catalogue, implementation, stubs), args.verbose)


if __name__ == "__main__":
    sys.exit(main())
