"""The test profile: in test code, the findings that only cost a test suite speed (AL2xx,
AL4xx, AL502) are held back, counted in the summary, never printed or fixed; the mistakes that
make a test wrong are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SLEEPY, Run, findings_of, write_tree

from asynclint.config import Settings

MIXED = """\
import asyncio
import time


async def fetch():
    return 1


async def test_fetch():
    time.sleep(0.1)
    loop = asyncio.get_event_loop()
    fetch()
    assert loop
"""
HELD_LINE = (
    "Held back in tests by the test profile: 1 blocking (AL2xx), 1 bridging (AL5xx); "
    "`--no-test-profile` shows them."
)


def test_holds_back_what_only_costs_speed_and_reports_the_rest(run: Run, project: Path) -> None:
    write_tree(project, {"tests/test_fetch.py": MIXED})
    result = run(".")
    assert [(p, code) for p, _, code in findings_of(result.stdout.split("Found")[0])] == [
        ("tests/test_fetch.py", "AL101")
    ]
    assert HELD_LINE in result.stdout
    assert "  in tests: 1 missing await (AL1xx)" in result.stdout
    assert result.exit_code == 1


def test_held_back_findings_alone_leave_the_exit_status_clean(run: Run, project: Path) -> None:
    write_tree(project, {"tests/test_poll.py": SLEEPY})
    result = run(".")
    assert result.exit_code == 0
    assert result.stdout == (
        "Held back in tests by the test profile: 1 blocking (AL2xx); "
        "`--no-test-profile` shows them.\n"
    )
    assert run("-q", ".").stdout == ""


@pytest.mark.parametrize(
    "name",
    [
        "tests/test_poll.py",
        "test/poll.py",
        "src/pkg/tests/helpers.py",
        "test_poll.py",
        "poll_test.py",
        "conftest.py",
        "src/conftest.py",
    ],
)
def test_pytest_conventions_are_the_default_test_paths(run: Run, project: Path, name: str) -> None:
    write_tree(project, {name: SLEEPY})
    assert run("-q", ".").stdout == ""
    assert findings_of(run("-q", "--no-test-profile", ".").stdout) == [(name, 4, "AL201")]


@pytest.mark.parametrize("name", ["src/poll.py", "testing.py", "contest/poll.py", "attest.py"])
def test_other_files_are_code(run: Run, project: Path, name: str) -> None:
    write_tree(project, {name: SLEEPY})
    assert findings_of(run("-q", ".").stdout) == [(name, 4, "AL201")]


def test_the_setting_turns_it_off_and_the_flag_back_on(run: Run, project: Path) -> None:
    write_tree(
        project,
        {"pyproject.toml": "[tool.asynclint]\ntest-profile = false\n", "tests/test_a.py": SLEEPY},
    )
    assert findings_of(run("-q", ".").stdout) == [("tests/test_a.py", 4, "AL201")]
    assert run("-q", "--test-profile", ".").stdout == ""


def test_test_paths_replace_the_default(run: Run, project: Path) -> None:
    write_tree(
        project,
        {
            "pyproject.toml": '[tool.asynclint]\ntest-paths = ["integration", "*_check.py"]\n',
            "integration/flows.py": SLEEPY,
            "src/poll_check.py": SLEEPY,
            "tests/test_a.py": SLEEPY,
        },
    )
    assert findings_of(run("-q", ".").stdout) == [("tests/test_a.py", 4, "AL201")]


def test_per_file_ignores_still_win(run: Run, project: Path) -> None:
    config = '[tool.asynclint]\nper-file-ignores = { "tests/*" = ["AL201", "AL101"] }\n'
    write_tree(project, {"pyproject.toml": config, "tests/test_fetch.py": MIXED})
    result = run(".")
    # Ignored findings are neither reported nor counted as held back.
    assert result.stdout == (
        "Held back in tests by the test profile: 1 bridging (AL5xx); "
        "`--no-test-profile` shows them.\n"
    )


def test_fix_leaves_held_back_findings_alone(run: Run, project: Path) -> None:
    old_loop = "import asyncio\n\n\nasync def test_loop():\n    return asyncio.get_event_loop()\n"
    write_tree(project, {"tests/test_loop.py": old_loop, "src/app.py": old_loop})
    run("--fix", ".")
    assert (project / "tests/test_loop.py").read_text() == old_loop
    assert "get_running_loop" in (project / "src/app.py").read_text()


def test_statistics_split_code_and_tests(run: Run, project: Path) -> None:
    write_tree(project, {"tests/test_fetch.py": MIXED, "src/app.py": SLEEPY})
    result = run("--statistics", ".")
    assert result.stdout == (
        "1\tAL101\tunawaited-coroutine\t(1 in tests)\n"
        "1\tAL201\tblocking-sleep\n"
        "  in code:  1 blocking (AL2xx)\n"
        "  in tests: 1 missing await (AL1xx)\n"
        f"{HELD_LINE}\n"
    )


def test_machine_formats_leave_held_back_findings_out(run: Run, project: Path) -> None:
    write_tree(project, {"tests/test_fetch.py": MIXED})
    reported = json.loads(run("--output-format", "json", ".").stdout)
    assert [f["code"] for f in reported] == ["AL101"]


def test_stdin_filename_decides(run: Run, project: Path) -> None:
    assert run("-", "--stdin-filename", "tests/test_a.py", input=SLEEPY).exit_code == 0
    assert run("-", "--stdin-filename", "src/a.py", input=SLEEPY).exit_code == 1


class TestIsTest:
    def settings(self, root: Path, *patterns: str) -> Settings:
        if patterns:
            return Settings(root=root, test_paths=patterns)
        return Settings(root=root)

    def test_folder_names_match_at_any_depth(self, tmp_path: Path) -> None:
        settings = self.settings(tmp_path)
        assert settings.is_test(tmp_path / "a/b/tests/c/d.py")
        assert not settings.is_test(tmp_path / "a/b/testsuite/d.py")

    def test_patterns_with_a_slash_are_anchored(self, tmp_path: Path) -> None:
        settings = self.settings(tmp_path, "src/checks/**")
        assert settings.is_test(tmp_path / "src/checks/a/b.py")
        assert not settings.is_test(tmp_path / "lib/src/checks/b.py")

    def test_outside_the_configuration_folder_its_own_project_decides(self, tmp_path: Path) -> None:
        (tmp_path / "tests/elsewhere").mkdir(parents=True)
        (tmp_path / "tests/elsewhere/pyproject.toml").write_text("")
        settings = self.settings(tmp_path / "root")
        # The folder above the file's project is named `tests`: not the project's business.
        assert not settings.is_test(tmp_path / "tests/elsewhere/app.py")
        assert settings.is_test(tmp_path / "tests/elsewhere/test_app.py")
