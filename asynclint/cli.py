"""The ``asynclint`` command."""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

import click

from asynclint import __version__
from asynclint.config import (
    ConfigError,
    ConfigFinder,
    Selection,
    Settings,
    check_selectors,
    selected_codes,
)
from asynclint.diagnostics import Applicability, FileResult, Problem
from asynclint.discovery import FileFinder
from asynclint.docs import explain, rules_list
from asynclint.index import ProjectIndex, module_name
from asynclint.linter import FixMode
from asynclint.reporters import FORMATTERS, OUTPUT_FORMATS, format_statistics, format_text
from asynclint.rules import RULES_BY_CODE
from asynclint.runner import (
    Task,
    build_index,
    check_text,
    decode_source,
    default_jobs,
    on_deep_stack,
    prepare_process,
    run_tasks,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


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
    """The enabled codes for each file: its configuration's selection, then the command line."""

    def __init__(self, cli: Selection) -> None:
        self.cli = cli
        self._cache: dict[int, frozenset[str]] = {}

    def codes_for(self, path: Path, settings: Settings) -> tuple[str, ...]:
        key = id(settings)
        if key not in self._cache:
            self._cache[key] = selected_codes([settings.selection, self.cli])
        codes = self._cache[key]
        ignored = settings.ignored_for(path)
        if ignored:
            codes = codes - selected_codes([Selection(select=ignored)])
        return tuple(sorted(codes))


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


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, apply unsafe fixes too.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff; write nothing.")
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when there are findings.")
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
    "--no-cache",
    is_flag=True,
    help="Do not read or write the project index cache (.asynclint_cache in the project root).",
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
    config_file: str | None,
    stdin_filename: str | None,
    jobs: int | None,
    explain_code: str | None,
    list_rules: bool,
    quiet: bool,
    no_cache: bool,
) -> None:
    """Find, explain and fix async/await mistakes in the Python files under PATHS
    (default: the current directory). Use '-' to read standard input."""
    if explain_code is not None:
        rule = RULES_BY_CODE.get(explain_code.strip().upper())
        if rule is None:
            raise click.UsageError(
                f"unknown rule code {explain_code!r}; `asynclint --list-rules` lists them"
            )
        click.echo(explain(rule), nl=False)
        return
    if list_rules:
        click.echo(rules_list(), nl=False)
        return
    if unsafe_fixes and not (fix or diff):
        raise click.UsageError("--unsafe-fixes needs --fix or --diff")

    try:
        configs = ConfigFinder(
            Path(config_file) if config_file else None,
            exclude=tuple(exclude) or None,
            extend_exclude=tuple(extend_exclude),
        )
        cli_selection = Selection(
            select=tuple(check_selectors(_split_codes(select), "--select")) if select else None,
            extend_select=tuple(check_selectors(_split_codes(extend_select), "--extend-select")),
            ignore=tuple(check_selectors(_split_codes(ignore), "--ignore")),
        )
    except ConfigError as error:
        click.echo(f"asynclint: error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    selector = _Selector(cli_selection)
    fix_mode = FixMode(unsafe=unsafe_fixes) if (fix or diff) else None
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")

    try:
        if paths == ("-",):
            results, sources = _run_stdin(configs, selector, stdin_filename, fix_mode, not no_cache)
        else:
            if "-" in paths:
                raise click.UsageError("'-' (standard input) cannot be mixed with other paths")
            results, sources = _run_paths(
                list(paths) or ["."],
                configs,
                selector,
                force_exclude,
                fix_mode,
                fix and not diff,
                jobs or default_jobs(),
                not no_cache,
            )
    except ConfigError as error:
        click.echo(f"asynclint: error: {error}", err=True)
        sys.exit(EXIT_ERROR)
    except BrokenProcessPool as error:
        click.echo(f"asynclint: internal error: a worker process died: {error}", err=True)
        sys.exit(EXIT_ERROR)

    problems = [p for r in results for p in r.problems]
    for problem in problems:
        _echo_problem(problem)
    diagnostics = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key)
    fixed = sum(r.fixed_count for r in results)
    stdin_mode = paths == ("-",)

    if diff:
        changed = [r for r in results if r.fixed_source is not None]
        for result in changed:
            click.echo(_unified_diff(result), nl=False)
        if not quiet:
            click.echo(f"Would fix {fixed} finding{'s' * (fixed != 1)}.", err=True)
        sys.exit(
            EXIT_ERROR if problems else EXIT_FINDINGS if changed and not exit_zero else EXIT_CLEAN
        )

    if stdin_mode and fix:
        # Editors pipe the buffer through: the (fixed) text goes to stdout, findings to stderr.
        result = results[0]
        text = result.fixed_source if result.fixed_source is not None else sources.get(result.path)
        if text is not None:
            click.echo(text, nl=False)
        report_to_stderr = True
    else:
        report_to_stderr = False

    if statistics:
        output = format_statistics(diagnostics)
    elif output_format == "text":
        output = format_text(diagnostics, color=color, show_source=show_source, sources=sources)
    else:
        output = FORMATTERS[output_format](diagnostics)
    click.echo(output, nl=False, err=report_to_stderr, color=color)

    if output_format == "text" and not quiet and not statistics:
        summary = _summary(diagnostics, fixed, fix_mode is not None)
        if summary:
            click.echo(summary, err=report_to_stderr)

    if any(p.internal for p in problems) or problems:
        sys.exit(EXIT_ERROR)
    if diagnostics and not exit_zero:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


def _summary(diagnostics: Sequence, fixed: int, fixing: bool) -> str:
    remaining = len(diagnostics)
    if not remaining and not fixed:
        return ""
    plural = "s" * ((remaining + fixed) != 1)
    if fixing:
        if not remaining:
            return f"Found {fixed} finding{plural} ({fixed} fixed, 0 remaining)."
        head = f"Found {remaining + fixed} finding{plural} ({fixed} fixed, {remaining} remaining)."
    else:
        head = f"Found {remaining} finding{plural}."
    safe = sum(1 for d in diagnostics if d.fix_applicability is Applicability.SAFE)
    unsafe = sum(1 for d in diagnostics if d.fix_applicability is Applicability.UNSAFE)
    lines = [head]
    if safe:
        lines.append(f"[*] {safe} fixable with `--fix`.")
    if unsafe:
        lines.append(f"{unsafe} more fixable with `--fix --unsafe-fixes`.")
    return "\n".join(lines)


def _run_stdin(
    configs: ConfigFinder,
    selector: _Selector,
    stdin_filename: str | None,
    fix_mode: FixMode | None,
    use_cache: bool,
) -> tuple[list[FileResult], dict[str, str]]:
    display = stdin_filename or "-"
    settings_path = Path(stdin_filename) if stdin_filename else Path.cwd() / "-"
    settings = configs.for_path(settings_path)
    data = sys.stdin.buffer.read()
    try:
        source = decode_source(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        reason = error.msg if isinstance(error, SyntaxError) else str(error)
        return [FileResult(display, problems=[Problem(display, f"cannot decode: {reason}")])], {}
    codes = selector.codes_for(settings_path, settings)
    module = None
    if stdin_filename:
        module = module_name(settings_path)
        index = _project_index([settings_path], [Task(display, display, codes)], configs, use_cache)
        prepare_process(index)
    task = Task(
        display,
        display,
        codes,
        fix_mode,
        module=module,
        blocking=settings.blocking,
        allow_blocking=settings.allow_blocking,
    )
    return [on_deep_stack(check_text, source, task)], {display: source.text}


def _run_paths(
    paths: list[str],
    configs: ConfigFinder,
    selector: _Selector,
    force_exclude: bool,
    fix_mode: FixMode | None,
    write: bool,
    jobs: int,
    use_cache: bool,
) -> tuple[list[FileResult], dict[str, str]]:
    finder = FileFinder(configs, force_exclude=force_exclude)
    files = finder.find(paths)
    tasks = []
    for path in files:
        settings = configs.for_path(path)
        codes = selector.codes_for(path, settings)
        module = module_name(path)
        tasks.append(
            Task(
                str(path),
                _display_path(path),
                codes,
                fix_mode,
                write,
                module,
                settings.blocking,
                settings.allow_blocking,
            )
        )
    # Shown like the findings' paths (relative to the working directory when under it).
    problems = [replace(p, path=_display_path(Path(p.path))) for p in finder.problems]
    results = [FileResult(p.path, problems=[p]) for p in problems]
    index = _project_index(files, tasks, configs, use_cache, jobs)
    results.extend(run_tasks(tasks, jobs, index))
    return results, {}


def _project_index(
    files: list[Path], tasks: list[Task], configs: ConfigFinder, use_cache: bool, jobs: int = 1
) -> ProjectIndex | None:
    """The index of the linted files' projects, when an enabled rule needs one."""
    if not files or not any(RULES_BY_CODE[c].needs_index for t in tasks for c in t.codes):
        return None

    def project_files(root: Path) -> list[Path]:
        return FileFinder(configs).find([str(root)])  # its problems are not the user's

    python = configs.for_path(files[0]).python
    return build_index(files, project_files, use_cache, jobs, python)
