"""ruff's fixing options: ``--fix-only``, ``--show-fixes``, ``--exit-non-zero-on-fix``,
``fixable``/``unfixable`` (configuration and flags), and ``--unsafe-fixes`` on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SLEEPY, Run, write_tree

# AL201 (an unsafe fix) on line 6, AL502 (a safe fix) on line 7.
MIXED = (
    "import asyncio\nimport time\n\n\nasync def main():\n"
    "    time.sleep(1)\n"
    "    return asyncio.get_event_loop()\n"
)
MIXED_SAFE_FIXED = MIXED.replace("get_event_loop", "get_running_loop")
AL201_LINE = "a.py:6:5: AL201 "
TIMES = "\N{MULTIPLICATION SIGN}"
AL502_LINE = "a.py:7:12: AL502 "


def test_fix_only_fixes_and_reports_nothing(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": MIXED})
    result = run("--fix-only", "a.py")
    assert result.exit_code == 0
    assert result.stdout == "Fixed 1 finding (1 additional fix available with `--unsafe-fixes`).\n"
    assert (project / "a.py").read_text() == MIXED_SAFE_FIXED
    # Nothing left to fix but with --unsafe-fixes; still 0 though AL201 remains.
    again = run("--fix-only", "--exit-non-zero-on-fix", "a.py")
    assert again.exit_code == 0
    assert again.stdout == "No findings fixed (1 fix available with `--unsafe-fixes`).\n"
    assert run("--fix-only", "--unsafe-fixes", "a.py").stdout == "Fixed 1 finding.\n"
    assert run("--fix-only", "a.py").stdout == ""  # nothing to fix at all
    write_tree(project, {"a.py": MIXED})
    assert run("--fix-only", "--no-fix-only", "a.py").exit_code == 1  # the last word wins


def test_fix_only_with_exit_non_zero_on_fix(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": MIXED, "b.py": SLEEPY, "c.py": SLEEPY})
    result = run("--fix-only", "--exit-non-zero-on-fix", "--unsafe-fixes", "-q", "a.py", "b.py")
    assert (result.exit_code, result.stdout) == (1, "")
    assert "asyncio.sleep" in (project / "b.py").read_text()
    # ruff refuses the pair: one asks for 0 whatever happens, the other for 1.
    both = run("--fix-only", "--exit-non-zero-on-fix", "--exit-zero", "c.py")
    assert both.exit_code == 2
    assert "--exit-non-zero-on-fix cannot be combined with --exit-zero" in both.stderr
    assert (project / "c.py").read_text() == SLEEPY


def test_exit_non_zero_on_fix_with_fix(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": MIXED.replace("    time.sleep(1)\n", "")})
    assert run("--fix", "--exit-non-zero-on-fix", "a.py").exit_code == 1
    assert run("--fix", "--exit-non-zero-on-fix", "a.py").exit_code == 0  # nothing to fix
    write_tree(project, {"b.py": MIXED.replace("    time.sleep(1)\n", "")})
    assert run("--fix", "b.py").exit_code == 0  # fixed, nothing remains


def test_show_fixes_lists_what_was_fixed_by_file_and_code(run: Run, project: Path) -> None:
    two_loops = MIXED + "\n\nasync def other():\n    return asyncio.get_event_loop()\n"
    write_tree(project, {"a.py": two_loops, "b.py": SLEEPY, "c.py": MIXED})
    result = run("--fix", "--unsafe-fixes", "--show-fixes", "a.py", "c.py", "b.py")
    assert result.exit_code == 0
    assert result.stdout == (
        "\n"
        "Fixed 6 findings:\n"
        "- a.py:\n"
        f"    1 {TIMES} AL201 (blocking-sleep)\n"
        f"    2 {TIMES} AL502 (get-event-loop-in-coroutine)\n"
        "- b.py:\n"
        f"    1 {TIMES} AL201 (blocking-sleep)\n"
        "- c.py:\n"
        f"    1 {TIMES} AL201 (blocking-sleep)\n"
        f"    1 {TIMES} AL502 (get-event-loop-in-coroutine)\n"
        "\n"
        "Found 6 findings (6 fixed, 0 remaining).\n"
    )


def test_show_fixes_after_the_remaining_findings(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": MIXED})
    result = run("--fix", "--show-fixes", "a.py")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(AL201_LINE)
    assert lines[1:5] == [
        "",
        "Fixed 1 finding:",
        "- a.py:",
        f"    1 {TIMES} AL502 (get-event-loop-in-coroutine)",
    ]
    assert lines[6] == "Found 2 findings (1 fixed, 1 remaining)."
    # Nothing fixed: no list. Not fixing: no list either.
    assert "Fixed" not in run("--fix", "--show-fixes", "a.py").stdout
    write_tree(project, {"b.py": MIXED})
    assert "Fixed" not in run("--show-fixes", "b.py").stdout
    fix_only = run("--fix-only", "--show-fixes", "--unsafe-fixes", "b.py")
    assert fix_only.stdout.endswith("(get-event-loop-in-coroutine)\n\nFixed 2 findings.\n")
    # With --quiet, the list all the same (as in ruff), and nothing else.
    write_tree(project, {"c.py": MIXED})
    quiet = run("--fix", "--show-fixes", "-q", "c.py").stdout.splitlines()
    assert quiet[0].startswith("c.py:6:5: AL201 ")
    assert quiet[1:] == [
        "",
        "Fixed 1 finding:",
        "- c.py:",
        f"    1 {TIMES} AL502 (get-event-loop-in-coroutine)",
        "",
    ]


@pytest.mark.parametrize(
    ("config", "flags"),
    [
        ('unfixable = ["AL502"]', []),
        ('unfixable = ["get-event-loop-in-coroutine"]', []),
        ('fixable = ["AL2"]', []),
        ('fixable = ["AL5"]\nunfixable = ["AL502"]', []),
        ("", ["--unfixable", "AL5"]),
        ("", ["--fixable", "AL1,AL2"]),
        ('extend-fixable = ["AL502"]', ["--unfixable", "AL502"]),
    ],
)
def test_unfixable_findings_have_no_fix(
    run: Run, project: Path, config: str, flags: list[str]
) -> None:
    write_tree(project, {"pyproject.toml": f"[tool.asynclint]\n{config}\n", "a.py": MIXED})
    result = run("--fix", *flags, "a.py")
    assert (project / "a.py").read_text() == MIXED
    assert result.stdout.splitlines()[1].startswith(AL502_LINE)
    assert "[*]" not in result.stdout
    statistics = run("--statistics", "--unsafe-fixes", *flags, "a.py").stdout
    assert "get-event-loop-in-coroutine" in statistics
    assert "AL502\t[*]" not in statistics
    items = json.loads(run("--output-format", "json", *flags, "a.py").stdout)
    assert [item["fix"] for item in items if item["code"] == "AL502"] == [None]


@pytest.mark.parametrize(
    ("config", "flags"),
    [
        ('unfixable = ["AL2"]', []),
        ('unfixable = ["AL5"]\nextend-fixable = ["AL502"]', []),  # the more specific wins
        ('unfixable = ["AL502"]', ["--extend-fixable", "AL502"]),  # flags over the file
        ('fixable = ["AL2"]', ["--fixable", "ALL"]),
    ],
)
def test_fixable_findings_are_fixed(run: Run, project: Path, config: str, flags: list[str]) -> None:
    write_tree(project, {"pyproject.toml": f"[tool.asynclint]\n{config}\n", "a.py": MIXED})
    result = run("--fix", *flags, "a.py")
    assert (project / "a.py").read_text() == MIXED_SAFE_FIXED
    assert result.stdout.startswith(AL201_LINE)


def test_unknown_fixable_codes_are_errors(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": MIXED})
    result = run("--unfixable", "AL5O2", "a.py")
    assert result.exit_code == 2
    assert result.stderr == (
        "asynclint: error: --unfixable: unknown rule selector 'AL5O2'; did you mean AL502?\n"
    )
    write_tree(project, {"pyproject.toml": '[tool.asynclint]\nfixable = ["blocking-slep"]\n'})
    result = run("a.py")
    assert result.exit_code == 2
    assert "unknown rule selector 'blocking-slep'; did you mean blocking-sleep?" in result.stderr
    write_tree(project, {"pyproject.toml": '[tool.asynclint]\nunfixable = "AL502"\n'})
    assert "`unfixable` must be a list of strings" in run("a.py").stderr


def test_unsafe_fixes_alone_counts_unsafe_fixes_as_fixable(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": MIXED})
    plain = run("a.py").stdout.splitlines()
    assert plain[-2:] == [
        "[*] 1 fixable with `--fix`.",
        "1 more fixable with `--fix --unsafe-fixes`.",
    ]
    unsafe = run("--unsafe-fixes", "a.py")
    assert unsafe.stdout.splitlines()[-1] == "[*] 2 fixable with `--fix --unsafe-fixes`."
    assert unsafe.exit_code == 1
    assert (project / "a.py").read_text() == MIXED  # nothing written


def test_statistics_mark_only_what_fix_would_fix(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": MIXED, "b.py": SLEEPY})
    lines = run("--statistics", ".").stdout.splitlines()
    assert lines[:2] == [
        "2\tAL201\t[ ] blocking-sleep",
        "1\tAL502\t[*] get-event-loop-in-coroutine",
    ]
    lines = run("--statistics", "--unsafe-fixes", ".").stdout.splitlines()
    assert lines[:2] == [
        "2\tAL201\t[*] blocking-sleep",
        "1\tAL502\t[*] get-event-loop-in-coroutine",
    ]


def test_statistics_in_json(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": MIXED, "b.py": SLEEPY, "c.py": "def f(:\n"})
    result = run("--statistics", "--output-format", "json", ".")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "code": "AL201",
            "name": "blocking-sleep",
            "count": 2,
            "fixable": False,
            "fixable_count": 0,
        },
        {"code": "AL001", "name": "syntax-error", "count": 1, "fixable": False, "fixable_count": 0},
        {
            "code": "AL502",
            "name": "get-event-loop-in-coroutine",
            "count": 1,
            "fixable": True,
            "fixable_count": 1,
        },
    ]
    unsafe = run("--statistics", "--output-format", "json", "--unsafe-fixes", "a.py")
    assert [item["fixable"] for item in json.loads(unsafe.stdout)] == [True, True]
