"""The ``asynclint`` command."""

from __future__ import annotations

import difflib
import functools
import gc
import os
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import click

from asynclint import __version__, progress
from asynclint import baseline as baseline_file
from asynclint.adding_noqa import Wanted, with_noqa
from asynclint.catalogue import BY_CODE
from asynclint.config import (
    ALL_CODES,
    CODES_BY_NAME,
    ENGINE_CODES,
    TEST_HELD_BACK,
    ConfigError,
    ConfigFinder,
    RootsAbove,
    Selection,
    Settings,
    check_selectors,
    file_timeout,
    index_root,
    rule_hint,
    selected_codes,
)
from asynclint.diagnostics import (
    SYNTAX_ERROR_CODE,
    Applicability,
    Diagnostic,
    FileResult,
    FixMode,
    Problem,
)
from asynclint.discovery import FileFinder
from asynclint.index import module_name
from asynclint.index.cache import default_cache_directory
from asynclint.index.store import STORE_NAME, Store, store_files
from asynclint.listing import WalkRecord
from asynclint.reporters import (
    COLOR_CHOICES,
    FORMATTERS,
    OUTPUT_FORMATS,
    TEXT_FORMATS,
    family_lines,
    fix_summary,
    format_statistics,
    format_statistics_json,
    format_text,
    use_color,
)
from asynclint.results import ProjectState, ResultCache, stores_for
from asynclint.runner import (
    Task,
    check_text,
    decode_source,
    default_jobs,
    run_tasks,
    tune_collector,
    within_budget,
    write_atomically,
)
from asynclint.session import ProjectSession

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# Runs that check fewer files in workers than this leave each worker to make what the index's
# answers about the whole project start from, if a file asks (a handful of files seldom does).
_SHARED_INDEX_FROM = 100


@functools.lru_cache(maxsize=256)
def _codes_of(selectors: tuple[str, ...]) -> frozenset[str]:
    """The codes a list of selectors names (``AL2``, ``AL101`` ...)."""
    return frozenset(selected_codes([Selection(select=selectors)]))


def _split_codes(values: Sequence[str]) -> list[str]:
    return [code for value in values for code in value.replace(" ", ",").split(",") if code]


def _display_path(path: Path) -> str:
    """Paths under the working directory are shown relative to it, others as given."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return str(path)
    return os.path.normpath(path).replace(os.sep, "/")


class _Selector:
    """The enabled codes for each file: its configuration's selection, then the command line;
    in test code, those the test profile holds back apart."""

    def __init__(self, cli: Selection, test_profile: bool | None = None) -> None:
        self.cli = cli
        self.test_profile = test_profile  # the command line's word, over the configuration's
        self._cache: dict[int, frozenset[str]] = {}
        # ``--fixable``, ``--extend-fixable``, ``--unfixable``, over the configuration's
        self.fixable = Selection()
        self._fixable: dict[int, frozenset[str] | None] = {}

    def fix_mode_for(self, settings: Settings, base: FixMode | None) -> FixMode | None:
        """``base`` with the codes whose fixes apply under ``settings`` (all by default)."""
        if base is None:
            return None
        key = id(settings)
        if key not in self._fixable:
            layers = [Selection(select=("ALL",)), *settings.fixability, self.fixable]
            codes = selected_codes(layers)
            self._fixable[key] = None if codes >= set(ALL_CODES) else codes
        return replace(base, fixable=self._fixable[key])

    def codes_for(self, path: Path, settings: Settings, resolved: bool = False) -> tuple[str, ...]:
        key = id(settings)
        if key not in self._cache:
            self._cache[key] = selected_codes([*settings.selections, self.cli])
        codes = self._cache[key]
        ignored = settings.ignored_for(path, resolved)
        if ignored:
            codes = codes - _codes_of(ignored)
        return tuple(sorted(codes))

    def split_for(
        self, path: Path, settings: Settings, resolved: bool = False
    ) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
        """Whether ``path`` (``resolved`` already) is test code, the codes reported there, and
        those held back."""
        codes = self.codes_for(path, settings, resolved)
        is_test = settings.is_test(path, resolved)
        profile = self.test_profile if self.test_profile is not None else settings.test_profile
        if not (is_test and profile):
            return is_test, codes, ()
        held = _codes_of(TEST_HELD_BACK) - set(ENGINE_CODES)
        return (
            True,
            tuple(c for c in codes if c not in held),
            tuple(c for c in codes if c in held),
        )


def _echo_problem(problem: Problem) -> None:
    click.echo(f"asynclint: error: {problem.path}: {problem.message}", err=True)


def _unified_diff(result: FileResult) -> str:
    assert result.original_source is not None and result.fixed_source is not None
    return "".join(
        difflib.unified_diff(
            result.original_source.splitlines(keepends=True),
            result.fixed_source.splitlines(keepends=True),
            fromfile=f"a/{result.path.lstrip('/')}",
            tofile=f"b/{result.path.lstrip('/')}",
        )
    )


class _Command(click.Command):
    """The lint command; ``asynclint server`` starts the language server instead (a folder
    named ``server`` is linted as ``asynclint ./server``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args[:1] == ["server"]:
            from asynclint.server import main as serve

            ctx.exit(serve(args[1:]))
        return super().parse_args(ctx, args)


@click.command(
    cls=_Command,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="`asynclint server` starts the language server for editors (stdio).",
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--select",
    multiple=True,
    metavar="CODES",
    help="Rules to enable (codes or prefixes such as AL2, comma-separated); "
    "replaces the configured selection.",
)
@click.option(
    "--extend-select",
    multiple=True,
    metavar="CODES",
    help="Rules to enable in addition to the selection.",
)
@click.option(
    "--ignore", multiple=True, metavar="CODES", help="Rules to disable (codes or prefixes)."
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="PATTERN",
    help="Glob patterns of files and folders to skip; replaces the configured and default list.",
)
@click.option(
    "--extend-exclude",
    multiple=True,
    metavar="PATTERN",
    help="Glob patterns to skip in addition to the configured ones.",
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply exclusions even to paths named on the command line (for pre-commit).",
)
@click.option(
    "--output-format",
    type=click.Choice(OUTPUT_FORMATS),
    default="text",
    show_default=True,
    help="How findings are printed.",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Print the number of findings per rule instead of the findings.",
)
@click.option(
    "--show-source", is_flag=True, help="Print the source line and a caret under each finding."
)
@click.option("--fix", is_flag=True, help="Apply safe fixes and write the files.")
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="Apply unsafe fixes too (with --fix, --fix-only or --diff); count them as fixable.",
)
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option(
    "--fix-only/--no-fix-only",
    default=False,
    help="Apply fixes (as --fix) but report no finding; exit 0 unless --exit-non-zero-on-fix.",
)
@click.option(
    "--show-fixes/--no-show-fixes",
    default=False,
    help="With --fix or --fix-only, list the fixes applied, by file and code.",
)
@click.option(
    "--exit-non-zero-on-fix",
    is_flag=True,
    help="Exit with 1 when a fix changed a file, even if no finding remains.",
)
@click.option(
    "--fixable",
    multiple=True,
    metavar="CODES",
    help="Rules whose fixes apply (codes, prefixes or names); replaces the configured `fixable`.",
)
@click.option(
    "--extend-fixable",
    multiple=True,
    metavar="CODES",
    help="Rules whose fixes apply, in addition to `fixable`.",
)
@click.option(
    "--unfixable",
    multiple=True,
    metavar="CODES",
    help="Rules whose fixes never apply (their findings are shown as not fixable).",
)
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when there are findings.")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Report only the findings this baseline file (from --write-baseline) does not record.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Record today's findings in FILE, for --baseline to leave out later.",
)
@click.option(
    "--add-noqa",
    is_flag=True,
    help="Add a `# noqa: CODE` comment on the line of every finding (to adopt asynclint on a "
    "codebase that has findings today); print how many were added.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Use this pyproject.toml (or TOML file) instead of searching for one.",
)
@click.option(
    "--stdin-filename",
    metavar="PATH",
    help="The name of the file read from standard input (with '-' as path).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: the number of CPUs).",
)
@click.option(
    "--explain", "explain_code", metavar="CODE", help="Print the documentation of a rule and exit."
)
@click.option("--list-rules", is_flag=True, help="Print a table of all rules and exit.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary line.")
@click.option(
    "--color",
    type=click.Choice(COLOR_CHOICES),
    default="auto",
    show_default=True,
    help="Colour the text output: auto (on a terminal, unless NO_COLOR is set; FORCE_COLOR "
    "or CLICOLOR_FORCE forces it), always, never.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Do not read or write the project index cache (.asynclint_cache in the project root).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ASYNCLINT_CACHE_DIR",
    metavar="DIR",
    help="Where to keep the cache (default: .asynclint_cache in each project's root; also "
    "the ASYNCLINT_CACHE_DIR variable and `cache-dir` in [tool.asynclint]).",
)
@click.option(
    "--clear-cache",
    is_flag=True,
    help="Empty the cache this run would use before linting.",
)
@click.option(
    "--per-file-ignores",
    multiple=True,
    metavar="PATTERN:CODES",
    help="Rules to disable in the files a glob matches (`tests/*:AL201,AL202`; a leading `!` "
    "for the files it does not match); replaces the configured `per-file-ignores`.",
)
@click.option(
    "--extend-per-file-ignores",
    multiple=True,
    metavar="PATTERN:CODES",
    help="Like --per-file-ignores, in addition to the configured ones.",
)
@click.option(
    "--target-version",
    metavar="VERSION",
    help="The oldest Python the code must run on (py38 ... py314): fixes and advice use only "
    "what it has. Default: `target-version`, else the project's `requires-python`.",
)
@click.option(
    "--test-profile/--no-test-profile",
    default=None,
    help="In test code (`test-paths`), hold back the findings that only cost a test suite "
    "speed (AL2xx, AL4xx, AL502). On unless configured otherwise; --no-test-profile shows "
    "them.",
)
@click.option(
    "--file-timeout",
    type=click.FloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Abandon a file whose check takes longer (it is named as not checked); 0: no limit. "
    "Default: `file-timeout`, else 60.",
)
@click.version_option(__version__, "--version", prog_name="asynclint")
def main(
    paths: tuple[str, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    force_exclude: bool,
    output_format: str,
    statistics: bool,
    show_source: bool,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    exit_zero: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    add_noqa: bool,
    config_file: str | None,
    stdin_filename: str | None,
    jobs: int | None,
    explain_code: str | None,
    list_rules: bool,
    quiet: bool,
    no_cache: bool,
    cache_dir: Path | None,
    clear_cache: bool,
    test_profile: bool | None,
    per_file_ignores: tuple[str, ...],
    extend_per_file_ignores: tuple[str, ...],
    target_version: str | None,
    **more: Any,  # the fixing and colour options: ``_Fixing.of``
) -> None:
    """Find, explain and fix async/await mistakes in the Python files under PATHS
    (default: the current directory). Use '-' to read standard input."""
    if _print_documentation(explain_code, list_rules):
        return
    fixing = _Fixing.of(more, fix, unsafe_fixes, diff, output_format, paths)
    _check_combinations(paths, fixing, diff, add_noqa, baseline, write_baseline, exit_zero)
    recorded = _read_baseline(baseline)
    per_file, target = (per_file_ignores, extend_per_file_ignores), target_version
    configs, selector = _read_configuration(
        config_file, exclude, extend_exclude, select, extend_select, ignore, per_file, target
    )
    selector.test_profile, selector.fixable = test_profile, fixing.fixable
    run = _Run(paths, configs, selector, force_exclude, fixing.mode, fixing.fix and not diff)
    chosen = cache_dir.resolve() if cache_dir is not None else None
    run = replace(run, use_cache=not no_cache, cache_dir=chosen, progress=progress.wanted(quiet))
    run = replace(run, file_timeout=more["file_timeout"])
    if clear_cache:
        _clear_caches(run, quiet)
    results, sources = _lint(run, stdin_filename, jobs or default_jobs())
    output = _Output(output_format, statistics, show_source, quiet, exit_zero, fixing.color, fixing)
    wanted = _Wanted(diff, add_noqa, write_baseline, baseline, recorded, fixing.on_stdin)
    sys.exit(_finish(run, results, sources, output, wanted))


@dataclass(frozen=True)
class _Wanted:
    """What the run was asked to do with its results besides printing them."""

    diff: bool
    add_noqa: bool
    write_baseline: Path | None
    baseline: Path | None
    recorded: Counter[str] | None
    stdin_fix: bool


def _finish(
    run: _Run,
    results: list[FileResult],
    sources: dict[str, str],
    output: _Output,
    wanted: _Wanted,
) -> int:
    """Print the problems and notes, then do what was asked with the results; the exit
    status."""
    problems = [p for r in results for p in r.problems]
    for problem in problems:
        _echo_problem(problem)
    for note in _index_notes(run, results):
        click.echo(note, err=True)
    if wanted.diff:
        return _report_diff(results, output, bool(problems))
    if wanted.add_noqa:
        return _add_noqa(results, output.quiet, bool(problems))
    if wanted.write_baseline is not None:
        return _write_baseline(wanted.write_baseline, results, output.quiet, bool(problems))
    if wanted.baseline is not None and wanted.recorded is not None:
        results, known = _without_baselined(results, wanted.recorded, wanted.baseline)
        output = replace(output, baselined=known)
    return _report(results, sources, output, run.fix_mode, stdin_fix=wanted.stdin_fix)


def _check_combinations(
    paths: tuple[str, ...],
    fixing: _Fixing,
    diff: bool,
    add_noqa: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    exit_zero: bool,
) -> None:
    """A usage error for options that do not go together."""
    if fixing.exit_non_zero_on_fix and exit_zero:
        raise click.UsageError("--exit-non-zero-on-fix cannot be combined with --exit-zero")
    fix = fixing.fix
    stdin = paths == ("-",)
    if add_noqa and (fix or diff or stdin):
        raise click.UsageError("--add-noqa cannot be combined with --fix, --diff or '-'")
    for flag, given in (("--baseline", baseline), ("--write-baseline", write_baseline)):
        if given is not None and (fix or diff or add_noqa or stdin):
            raise click.UsageError(
                f"{flag} cannot be combined with --fix, --diff, --add-noqa or '-'"
            )
    if baseline is not None and write_baseline is not None:
        raise click.UsageError("--baseline and --write-baseline cannot be combined")


def _read_baseline(path: Path | None) -> Counter[str] | None:
    if path is None:
        return None
    try:
        return baseline_file.read(path)
    except baseline_file.BaselineError as error:
        raise click.UsageError(str(error)) from error


def _write_baseline(path: Path, results: list[FileResult], quiet: bool, problems: bool) -> int:
    diagnostics = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key)
    try:
        count = baseline_file.write(path, diagnostics)
    except baseline_file.BaselineError as error:
        click.echo(f"asynclint: error: {error}", err=True)
        return EXIT_ERROR
    if not quiet:
        click.echo(f"Wrote {count} finding{'s' * (count != 1)} to {path}.", err=True)
    return EXIT_ERROR if problems else EXIT_CLEAN


def _without_baselined(
    results: list[FileResult], recorded: Counter[str], path: Path
) -> tuple[list[FileResult], int]:
    """``results`` without the findings the baseline records, and how many those were."""
    diagnostics = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key)
    new, known = baseline_file.new_findings(diagnostics, recorded, path.resolve().parent)
    kept = {id(d) for d in new}
    trimmed = [replace(r, diagnostics=[d for d in r.diagnostics if id(d) in kept]) for r in results]
    return trimmed, known


def _add_noqa(results: list[FileResult], quiet: bool, problems: bool) -> int:
    """Write a ``# noqa`` for every finding of ``results`` into its file; the exit status."""
    added = 0
    failed = problems
    for result in results:
        wanted = [
            Wanted(d.code, d.start.line, d.statement_line)
            for d in result.diagnostics
            if d.code not in ENGINE_CODES
        ]
        if not wanted:
            continue
        path = Path(result.path)
        try:
            source = decode_source(path.read_bytes())
            done = with_noqa(source.text, wanted)
            if done.added:
                write_atomically(path, done.text.encode(source.encoding))
        except (OSError, UnicodeError, SyntaxError) as error:
            _echo_problem(Problem(result.path, f"cannot add `# noqa`: {error}"))
            failed = True
            continue
        added += done.added
        if done.refused:
            click.echo(
                f"asynclint: {result.path}: left as it is: `# noqa` comments cannot be added "
                "to it without changing its code",
                err=True,
            )
        elif done.skipped:
            lines = ", ".join(map(str, done.skipped))
            click.echo(
                f"asynclint: {result.path}: no `# noqa` can end line {lines} (inside a string "
                "or continued); left as it is",
                err=True,
            )
    if not quiet:
        click.echo(f"Added {added} noqa directive{'s' * (added != 1)}.", err=True)
    return EXIT_ERROR if failed else EXIT_CLEAN


def _print_documentation(explain_code: str | None, list_rules: bool) -> bool:
    """Print a rule's page (``--explain``) or the rules table (``--list-rules``), if asked."""
    if explain_code is None and not list_rules:
        return False
    # The pages are the rules' docstrings: only these two options load the rules.
    from asynclint.docs import explain, rules_list
    from asynclint.rules import RULES_BY_CODE

    if explain_code is not None:
        given = explain_code.strip()
        rule = RULES_BY_CODE.get(CODES_BY_NAME.get(given.lower(), given.upper()))
        if rule is None:
            hint = rule_hint(given)
            raise click.UsageError(
                f"unknown rule code {explain_code!r}{hint or ';'} `asynclint --list-rules` "
                "lists them"
            )
        click.echo(explain(rule), nl=False)
        return True
    if list_rules:
        click.echo(rules_list(), nl=False)
        return True
    return False


def _read_configuration(
    config_file: str | None,
    exclude: tuple[str, ...],
    extend_exclude: tuple[str, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    per_file: tuple[tuple[str, ...], tuple[str, ...]] = ((), ()),
    target_version: str | None = None,
) -> tuple[ConfigFinder, _Selector]:
    """The configurations (with the command line's globs, ``per_file``: its
    ``--per-file-ignores`` and ``--extend-per-file-ignores``, and its target version) and the
    command line's rule selection."""
    try:
        configs = ConfigFinder(
            Path(config_file) if config_file else None,
            exclude=tuple(exclude) or None,
            extend_exclude=tuple(extend_exclude),
            per_file_ignores=per_file[0] or None,
            extend_per_file_ignores=per_file[1],
            target_version=target_version,
        )
        cli_selection = Selection(
            select=tuple(check_selectors(_split_codes(select), "--select")) if select else None,
            extend_select=tuple(check_selectors(_split_codes(extend_select), "--extend-select")),
            ignore=tuple(check_selectors(_split_codes(ignore), "--ignore")),
        )
    except ConfigError as error:
        click.echo(f"asynclint: error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    return configs, _Selector(cli_selection)


@dataclass(frozen=True)
class _Run:
    """What to check and how: the paths given and the options that apply to every file."""

    paths: tuple[str, ...]
    configs: ConfigFinder
    selector: _Selector
    force_exclude: bool
    fix_mode: FixMode | None
    write: bool  # write the fixes back (``--fix`` without ``--diff``)
    use_cache: bool = True
    # ``--cache-dir`` (or ``ASYNCLINT_CACHE_DIR``): over the configuration's ``cache-dir``
    cache_dir: Path | None = None
    # The run's sessions, with the files they need not name as unreadable (``_index_notes``).
    sessions: list[tuple[ProjectSession, frozenset[Path]]] = field(default_factory=list)
    # Show how many files are checked so far (on a terminal, without ``--quiet``).
    progress: bool = False
    # ``--file-timeout`` (over the configuration's ``file-timeout``)
    file_timeout: float | None = None

    def timeout_for(self, settings: Settings) -> float | None:
        """The time budget of a file's check under ``settings``, in seconds (None: none)."""
        if self.file_timeout is None:
            return settings.file_timeout
        return file_timeout(self.file_timeout)


@dataclass(frozen=True)
class _Fixing:
    """What the fixing options ask (``--fix-only``, ``--show-fixes``, ``--fixable`` ... as
    ruff has them), and whether the text output is coloured (``--color``)."""

    fix: bool  # ``--fix``, or ``--fix-only`` (which implies it)
    # For every file, before its ``fixable`` codes are known.
    mode: FixMode = field(default_factory=lambda: FixMode(apply=False))
    fix_only: bool = False
    show_fixes: bool = False
    exit_non_zero_on_fix: bool = False
    # ``--fixable`` (as a selection), ``--extend-fixable``, ``--unfixable``
    fixable: Selection = field(default_factory=Selection)
    color: bool = False
    on_stdin: bool = False  # ``--fix`` on standard input: the fixed text goes to stdout

    @classmethod
    def of(
        cls,
        options: dict[str, Any],
        fix: bool,
        unsafe: bool,
        diff: bool,
        output_format: str,
        paths: tuple[str, ...],
    ) -> _Fixing:
        """From the command's options; a clear line and exit status 2 for an unknown code.
        Each finding's fix is described as edits for JSON."""
        fix = fix or bool(options["fix_only"])
        on_stdin = paths == ("-",) and fix  # the findings go to standard error
        return cls(
            fix,
            FixMode(unsafe, apply=fix or diff, edits=output_format == "json"),
            bool(options["fix_only"]),
            bool(options["show_fixes"]),
            bool(options["exit_non_zero_on_fix"]),
            _fixable_option(options),
            use_color(options["color"], sys.stderr if on_stdin else sys.stdout),
            on_stdin,
        )


def _fixable_option(options: dict[str, Any]) -> Selection:
    """``--fixable``, ``--extend-fixable`` and ``--unfixable`` as a layer of selection; a clear
    line and exit status 2 for an unknown code."""
    try:
        chosen = _split_codes(options["fixable"])
        return Selection(
            select=tuple(check_selectors(chosen, "--fixable")) if chosen else None,
            extend_select=tuple(
                check_selectors(_split_codes(options["extend_fixable"]), "--extend-fixable")
            ),
            ignore=tuple(check_selectors(_split_codes(options["unfixable"]), "--unfixable")),
        )
    except ConfigError as error:
        click.echo(f"asynclint: error: {error}", err=True)
        sys.exit(EXIT_ERROR)


@dataclass(frozen=True)
class _Output:
    """How the results are shown, and whether findings make the exit status 1."""

    format: str
    statistics: bool
    show_source: bool
    quiet: bool
    exit_zero: bool
    color: bool
    fixing: _Fixing = _Fixing(fix=False)
    # How many findings a baseline left out (``--baseline``).
    baselined: int = 0


def _lint(
    run: _Run, stdin_filename: str | None, jobs: int
) -> tuple[list[FileResult], dict[str, str]]:
    """The results of every file (and the source texts the report shows, for stdin)."""
    try:
        if run.paths == ("-",):
            return _run_stdin(run, stdin_filename)
        if "-" in run.paths:
            raise click.UsageError("'-' (standard input) cannot be mixed with other paths")
        with progress.Progress(run.progress):
            return _run_paths(run, jobs)
    except ConfigError as error:
        click.echo(f"asynclint: error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except BrokenProcessPool as error:
        click.echo(f"asynclint: internal error: a worker process died: {error}", err=True)
        sys.exit(EXIT_ERROR)


def _report_diff(results: list[FileResult], output: _Output, problems: bool) -> int:
    """``--diff``: print the fixes, write nothing; the exit status says whether any."""
    fixed = sum(r.fixed_count for r in results)
    changed = [r for r in results if r.fixed_source is not None]
    for result in changed:
        click.echo(_unified_diff(result), nl=False)
    if not output.quiet:
        click.echo(f"Would fix {fixed} finding{'s' * (fixed != 1)}.", err=True)
    if problems:
        return EXIT_ERROR
    return EXIT_FINDINGS if changed and not output.exit_zero else EXIT_CLEAN


def _report(
    results: list[FileResult],
    sources: dict[str, str],
    output: _Output,
    fix_mode: FixMode | None,
    stdin_fix: bool,
) -> int:
    """Print the findings (and, with ``--fix`` on stdin, the fixed text); the exit status."""
    diagnostics = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key)
    if stdin_fix:
        # Editors pipe the buffer through: the (fixed) text goes to stdout, findings to stderr.
        result = results[0]
        text = result.fixed_source if result.fixed_source is not None else sources.get(result.path)
        if text is not None:
            click.echo(text, nl=False)
    fixing = fix_mode is not None and fix_mode.apply
    unsafe = fix_mode is not None and fix_mode.unsafe
    if output.fixing.fix_only:
        _print_fixes(results, output, stdin_fix)
    else:
        _print_findings(diagnostics, results, sources, output, (fixing, unsafe), stdin_fix)
    if any(r.problems for r in results):
        return EXIT_ERROR
    fixed = any(r.fixed_count for r in results)
    if output.exit_zero:
        return EXIT_CLEAN
    if diagnostics and not output.fixing.fix_only:
        return EXIT_FINDINGS
    return EXIT_FINDINGS if fixed and output.fixing.exit_non_zero_on_fix else EXIT_CLEAN


def _print_findings(
    diagnostics: list[Diagnostic],
    results: list[FileResult],
    sources: dict[str, str],
    output: _Output,
    fixes: tuple[bool, bool],
    err: bool,
) -> None:
    """The findings in the chosen format (or their statistics); in text, the fixes applied
    (``--show-fixes``) and the summary. ``fixes``: whether fixes were applied, and whether
    unsafe ones count."""
    fixing, unsafe = fixes
    test_paths = {r.path for r in results if r.is_test}
    held_back = [d for r in results for d in r.held_back]
    if output.statistics and output.format == "json":
        text = format_statistics_json(diagnostics, unsafe=unsafe)
    elif output.statistics:
        text = format_statistics(diagnostics, test_paths, held_back, unsafe=unsafe)
    elif output.format in TEXT_FORMATS:
        show_source = output.show_source or output.format == "full"
        text = format_text(
            diagnostics, color=output.color, show_source=show_source, sources=sources
        )
    else:
        text = FORMATTERS[output.format](diagnostics)
    click.echo(text, nl=False, err=err, color=output.color)
    if output.format not in TEXT_FORMATS or output.statistics:
        return
    if output.fixing.show_fixes and any(r.fixed_codes for r in results):  # even with -q
        click.echo(f"\n{_fixes_applied(results, output.color)}", err=err, color=output.color)
    if output.quiet:
        return
    fixed = sum(r.fixed_count for r in results)
    summary = _summary(diagnostics, fixed, fixing, test_paths, held_back, unsafe)
    unchecked = sum(1 for r in results if r.problems and not r.diagnostics)
    if unchecked:  # each is named on standard error
        files = f"{unchecked} file{'s' * (unchecked != 1)}"
        summary = f"{summary}\n{files} could not be checked (named above).".lstrip("\n")
    if summary:
        click.echo(summary, err=err)
    if output.baselined:
        count = output.baselined
        click.echo(f"{count} finding{'s' * (count != 1)} recorded in the baseline not shown.")


def _fixes_applied(results: list[FileResult], color: bool) -> str:
    return fix_summary([(r.path, r.fixed_codes) for r in results if r.fixed_codes], color)


def _print_fixes(results: list[FileResult], output: _Output, err: bool) -> None:
    """``--fix-only``: no finding, only what was fixed (in text), as ruff prints it; with
    ``--quiet``, only the list of ``--show-fixes``."""
    fixed = sum(r.fixed_count for r in results)
    if output.format not in TEXT_FORMATS:
        return
    if output.fixing.show_fixes and fixed:
        click.echo(f"\n{_fixes_applied(results, output.color)}", err=err, color=output.color)
    unsafe = 0 if output.fixing.mode.unsafe else _unsafe_fixes(results)
    if output.quiet or not (fixed or unsafe):
        return
    fixes = f"fix{'es' * (unsafe != 1)} available with `--unsafe-fixes`"
    findings = f"{fixed} finding{'s' * (fixed != 1)}"
    if not fixed:
        click.echo(f"No findings fixed ({unsafe} {fixes}).", err=err)
    elif unsafe:
        click.echo(f"Fixed {findings} ({unsafe} additional {fixes}).", err=err)
    else:
        click.echo(f"Fixed {findings}.", err=err)


def _unsafe_fixes(results: list[FileResult]) -> int:
    """How many findings that remain have an unsafe fix."""
    return sum(
        1 for r in results for d in r.diagnostics if d.fix_applicability is Applicability.UNSAFE
    )


def _summary(
    diagnostics: Sequence[Diagnostic],
    fixed: int,
    fixing: bool,
    test_paths: Collection[str] = (),
    held_back: Sequence[Diagnostic] = (),
    unsafe: bool = False,
) -> str:
    remaining = len(diagnostics)
    if not remaining and not fixed:
        return "\n".join(family_lines((), (), held_back))
    plural = "s" * ((remaining + fixed) != 1)
    if fixing:
        if not remaining:
            return f"Found {fixed} finding{plural} ({fixed} fixed, 0 remaining)."
        head = f"Found {remaining + fixed} finding{plural} ({fixed} fixed, {remaining} remaining)."
    else:
        head = f"Found {remaining} finding{plural}."
    safe = sum(1 for d in diagnostics if d.fix_applicability is Applicability.SAFE)
    more = sum(1 for d in diagnostics if d.fix_applicability is Applicability.UNSAFE)
    lines = [head, *family_lines(diagnostics, test_paths, held_back)]
    if unsafe and safe + more:
        lines.append(f"[*] {safe + more} fixable with `--fix --unsafe-fixes`.")
        return "\n".join(lines)
    if safe:
        lines.append(f"[*] {safe} fixable with `--fix`.")
    if more:
        lines.append(f"{more} more fixable with `--fix --unsafe-fixes`.")
    return "\n".join(lines)


def _run_stdin(run: _Run, stdin_filename: str | None) -> tuple[list[FileResult], dict[str, str]]:
    display = stdin_filename or "-"
    settings_path = Path(stdin_filename) if stdin_filename else Path.cwd() / "-"
    settings = run.configs.for_path(settings_path)
    data = sys.stdin.buffer.read()
    try:
        source = decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        reason = error.msg if isinstance(error, SyntaxError) else str(error)
        return [FileResult(display, problems=[Problem(display, f"cannot decode: {reason}")])], {}
    is_test, codes, held = run.selector.split_for(settings_path, settings)
    task = Task(
        display,
        display,
        codes,
        run.selector.fix_mode_for(settings, run.fix_mode),
        module=module_name(settings_path) if stdin_filename else None,
        blocking=settings.blocking,
        allow_blocking=settings.allow_blocking,
        is_test=is_test,
        held=held,
        target=settings.target_version,
        timeout=run.timeout_for(settings),
    )
    if not stdin_filename:
        checked = within_budget(task.timeout, display, check_text, source, task, None)
        return [checked], {display: source.text}
    session = _session([settings_path], [task], run, jobs=1)
    task = replace(task, module=session.module_for(settings_path))
    tune_collector()
    try:
        checked = within_budget(task.timeout, display, check_text, source, task, session)
        return [checked], {display: source.text}
    finally:
        session.close()


def _run_paths(run: _Run, jobs: int) -> tuple[list[FileResult], dict[str, str]]:
    record = WalkRecord() if run.use_cache else None  # a project walked whole is kept
    opened: dict[Path, Store] = {}
    folder_of = _folder_finder(run)
    finder = FileFinder(
        run.configs,
        force_exclude=run.force_exclude,
        record=record,
        listings=functools.partial(_folder_store, folder_of, opened),
    )
    progress.current().begin("listing files")
    files = finder.find(list(run.paths) or ["."])
    progress.current().begin("reading the project")
    tasks = []
    packages: dict[Path, tuple[str, ...]] = {}
    for path in files:
        tasks.append(_file_task(run, path, finder.resolved[path], packages))
    # Shown like the findings' paths (relative to the working directory when under it).
    problems = [replace(p, path=_display_path(Path(p.path))) for p in finder.problems]
    results = [FileResult(p.path, problems=[p]) for p in problems]
    session = _session(files, tasks, run, jobs, finder, packages)
    real = {str(path): finder.resolved[path] for path in files}
    if session.own_names:  # files indexed under a name of their own
        tasks = [
            replace(task, module=session.own_names.get(real[task.path], task.module))
            for task in tasks
        ]
    if not run.use_cache:
        _before_workers(session, len(tasks), jobs)
        try:
            checked = _with_progress(run_tasks(tasks, jobs, session), len(tasks))
            results.extend(checked)
        finally:
            session.close()
        return results, {}
    stores = stores_for(real.values(), folder_of, opened)
    cache = ResultCache(stores, ProjectState(session.index), real)
    tasks = [replace(task, trace=True) for task in tasks]
    try:
        results.extend(_with_cache(tasks, jobs, session, cache))
    finally:
        session.close()
    return results, {}


def _file_task(run: _Run, path: Path, real: Path, packages: dict[Path, tuple[str, ...]]) -> Task:
    """The task of checking ``path`` (``real``: resolved) under its settings."""
    settings = run.configs.for_resolved_directory(real.parent)
    is_test, codes, held = run.selector.split_for(real, settings, resolved=True)
    return Task(
        str(path),
        _display_path(path),
        codes,
        run.selector.fix_mode_for(settings, run.fix_mode),
        run.write,
        module_name(real, packages, resolved=True),
        settings.blocking,
        settings.allow_blocking,
        is_test,
        held,
        target=settings.target_version,
        timeout=run.timeout_for(settings),
    )


def _before_workers(session: ProjectSession, count: int, jobs: int) -> None:
    """Before worker processes check ``count`` files: make what the index's answers about the
    whole project start from once, here, for the workers to share (each would make its own
    otherwise, and hold its own copy), and keep the collector from touching it (which would
    copy it)."""
    if session.index is None or jobs <= 1 or count < _SHARED_INDEX_FROM:
        return
    session.index.prepare_for_workers()
    gc.freeze()


def _with_progress(results: Iterable[FileResult], total: int) -> Iterator[FileResult]:
    """``results``, counted on the progress line as they come."""
    return progress.current().counted(results, "checking files", total)


def _with_cache(
    tasks: list[Task], jobs: int, session: ProjectSession, cache: ResultCache
) -> list[FileResult]:
    """The results of ``tasks``, in their order: stored ones where they still hold, the others
    checked (and stored for the next run)."""
    progress.current().begin("reading kept results")
    reused = cache.lookup(tasks)
    rest = [t for i, t in enumerate(tasks) if i not in reused]
    _before_workers(session, len(rest), jobs)
    fresh = iter(_with_progress(run_tasks(rest, jobs, session), len(rest)))
    results = []
    for position, task in enumerate(tasks):
        result = reused.get(position)
        if result is None:
            result = next(fresh)
            cache.add(task, result)
        results.append(result)
    cache.save()
    return results


def _folder_store(
    folder_of: Callable[[Path], Path | None], opened: dict[Path, Store], folder: Path
) -> Store | None:
    """The store of the files directly in ``folder`` (resolved), or None without a cache."""
    inside = folder / STORE_NAME  # any name will do: a file's folder decides
    return stores_for([inside], folder_of, opened).get(inside)


def _folder_finder(run: _Run) -> Callable[[Path], Path | None]:
    """The cache folder of a file: the one chosen, else its project's own (``index_root``)."""
    roots: dict[Path, Path | None] = {}
    marked: RootsAbove = {}

    def folder_of(path: Path) -> Path | None:  # a resolved path
        parent = path.parent
        if parent not in roots:
            settings = run.configs.for_resolved_directory(parent)
            root = index_root(parent, marked)
            roots[parent] = default_cache_directory(root, _cache_dir(run, settings))
        return roots[parent]

    return folder_of


def _session(
    files: list[Path],
    tasks: list[Task],
    run: _Run,
    jobs: int,
    finder: FileFinder | None = None,
    packages: dict[Path, tuple[str, ...]] | None = None,
) -> ProjectSession:
    """The run's session: the index of the linted files' projects, when an enabled rule
    needs one, and the catalogue of each file's blocking-call configuration. ``finder`` has
    found the files (and may have walked a project's whole folder already)."""
    rules = {BY_CODE[code] for task in tasks for code in (*task.codes, *task.held)}
    settings = run.configs.for_path(files[0]) if files else None
    session = ProjectSession.build(
        files,
        rules,
        run.configs,
        use_cache=run.use_cache,
        jobs=jobs,
        blocking={task.blocking_config for task in tasks},
        python=settings.python if settings else None,
        cache_dir=_cache_dir(run, settings),
        finder=finder,
        packages=packages,
    )
    # The file given on standard input is read from there, whatever its copy on disk holds
    # (an editor's buffer, half written).
    stdin = frozenset([files[0].resolve()] if run.paths == ("-",) and files else [])
    run.sessions.append((session, stdin))
    return session


def _cache_dir(run: _Run, settings: Settings | None) -> Path | None:
    """The cache folder the user chose: ``--cache-dir`` or ``ASYNCLINT_CACHE_DIR``, else the
    ``cache-dir`` of the configuration that applies; None for each project's own."""
    if run.cache_dir is not None:
        return run.cache_dir
    return settings.cache_dir if settings is not None else None


def _index_root_of(path: Path) -> Path:
    """``index_root`` of a path given on the command line (a file or a folder)."""
    real = path.resolve()
    return index_root(real if real.is_dir() else real.parent)


def _clear_caches(run: _Run, quiet: bool) -> None:
    """Empty the cache folders the run would use (the chosen one, or each given path's
    project's), removing only what asynclint writes there; each emptied folder is named on
    standard error (not with ``--quiet``)."""
    paths = [Path(p) for p in run.paths if p != "-"] or [Path.cwd()]
    folders = {
        default_cache_directory(_index_root_of(p), _cache_dir(run, run.configs.for_path(p)))
        for p in paths
    }
    for folder in sorted(f for f in folders if f is not None and f.is_dir()):
        entries = store_files(folder)
        for entry in entries:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        if entries and not quiet:
            click.echo(f"asynclint: cleared the cache in {_display_path(folder)}", err=True)


def _index_notes(run: _Run, results: list[FileResult]) -> list[str]:
    """The line, once per run, that names the project files the index could not read: never
    a module lost without a word. A linted file already reported as unreadable (a problem, a
    syntax error) is not named again."""
    reported = {
        result.path
        for result in results
        if result.problems or any(d.code == SYNTAX_ERROR_CODE for d in result.diagnostics)
    }
    notes = []
    for session, besides in run.sessions:
        named = {path for path in session.unreadable if _display_path(path) in reported}
        note = session.unreadable_note(_display_path, besides | named)
        if note is not None:
            notes.append(note)
    return notes
