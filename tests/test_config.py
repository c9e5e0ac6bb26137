"""``[tool.asynclint]``: which file applies, selection layering, per-file-ignores, excludes,
``--config``, and the errors a configuration can contain."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CLEAN, SLEEPY, Run, finding, write_tree


def _reported(stdout: str) -> list[str]:
    """The paths with a finding, in output order."""
    return [line.split(":", 1)[0] for line in stdout.splitlines() if ": AL" in line]


class TestWhichFile:
    def test_nested_project_wins_for_its_files(self, run: Run, project: Path) -> None:
        write_tree(
            project,
            {
                "pyproject.toml": '[tool.asynclint]\nignore = ["AL201"]\n',
                "a.py": SLEEPY,
                "sub/pyproject.toml": '[tool.asynclint]\nselect = ["AL2"]\n',
                "sub/b.py": SLEEPY,
                "sub/deeper/c.py": SLEEPY,
            },
        )
        result = run(".")
        assert _reported(result.stdout) == ["sub/b.py", "sub/deeper/c.py"]

    def test_pyproject_without_the_table_is_passed_over(self, run: Run, project: Path) -> None:
        write_tree(
            project,
            {
                "pyproject.toml": '[tool.asynclint]\nignore = ["AL201"]\n',
                "other/pyproject.toml": '[project]\nname = "other"\n\n[tool.black]\nx = 1\n',
                "other/c.py": SLEEPY,
            },
        )
        result = run(".")
        assert (result.stdout, result.exit_code) == ("", 0)

    def test_found_from_the_linted_path_not_the_working_directory(
        self, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_tree(
            tmp_path,
            {
                "proj/pyproject.toml": '[tool.asynclint]\nignore = ["AL2"]\n',
                "proj/a.py": SLEEPY,
                "cwd/pyproject.toml": '[tool.asynclint]\nselect = ["ALL"]\n',
            },
        )
        monkeypatch.chdir(tmp_path / "cwd")
        assert run(str(tmp_path / "proj" / "a.py")).exit_code == 0
        assert run(str(tmp_path / "proj")).exit_code == 0

    def test_stdin_filename_selects_the_configuration(self, run: Run, project: Path) -> None:
        write_tree(
            project,
            {
                "pyproject.toml": '[tool.asynclint]\nselect = ["ALL"]\n',
                "quiet/pyproject.toml": '[tool.asynclint]\nignore = ["AL201"]\n',
            },
        )
        assert run("-", "--stdin-filename", "quiet/x.py", input=SLEEPY).exit_code == 0
        assert run("-", "--stdin-filename", "loud/x.py", input=SLEEPY).exit_code == 1

    @pytest.mark.parametrize("text", ["[project\nname = ", "tool = 1\n", 'tool = "asynclint"\n'])
    def test_broken_unrelated_pyproject_is_passed_over(
        self, run: Run, project: Path, text: str
    ) -> None:
        write_tree(project, {"pyproject.toml": text, "a.py": SLEEPY})
        result = run("-q", "a.py")
        assert (result.stdout, result.stderr) == (f"{finding('a.py')}\n", "")


@pytest.mark.parametrize(
    ("table", "flags", "expected"),
    [
        ("", [], ["AL201"]),
        ("", ["--select", "AL"], ["AL201", "AL402"]),
        ("", ["--select", "ALL"], ["AL201", "AL402"]),
        ("", ["--extend-select", "AL4"], ["AL201", "AL402"]),
        ("", ["--select", "AL402"], ["AL402"]),
        ('extend-select = ["AL402"]', [], ["AL201", "AL402"]),
        ('select = ["AL"]', ["--ignore", "AL4"], ["AL201"]),
    ],
)
def test_rules_off_by_default(
    run: Run, project: Path, table: str, flags: list[str], expected: list[str]
) -> None:
    """AL4xx runs only when a selector names it, its family, ``AL`` or ``ALL``."""
    source = (
        "import time\n\nasync def fetch(url): ...\n\n"
        "async def main(urls):\n    time.sleep(1)\n    for url in urls:\n        await fetch(url)\n"
    )
    write_tree(project, {"pyproject.toml": f"[tool.asynclint]\n{table}\n", "a.py": source})
    result = run(*flags, "a.py")
    codes = sorted(line.split()[1] for line in result.stdout.splitlines() if ": AL" in line)
    assert codes == expected, result.output


@pytest.mark.parametrize(
    ("table", "flags", "reported"),
    [
        ('select = ["AL2"]\nignore = ["AL201"]', [], False),
        ('select = ["AL201"]\nignore = ["AL2"]', [], True),
        ('select = ["AL1"]', [], False),
        ('select = ["AL1"]\nextend-select = ["AL201"]', [], True),
        ('ignore = ["ALL"]\nextend-select = ["AL2"]', [], True),
        ('select = ["al2"]', [], True),
        ("select = []", [], False),
        # The command line is a second layer: --select starts over, the others adjust.
        ('ignore = ["AL201"]', ["--select", "AL2"], True),
        ('select = ["AL1"]', ["--select", "ALL"], True),
        ('select = ["AL201"]', ["--select", "AL1"], False),
        ('ignore = ["AL201"]', ["--extend-select", "AL201"], True),
        ('ignore = ["AL2"]', ["--extend-select", "AL2"], True),
        ('select = ["AL201"]', ["--ignore", "AL2"], False),
        ('select = ["AL1"]', ["--ignore", "AL3"], False),
    ],
)
def test_selection_layers(
    run: Run, project: Path, table: str, flags: list[str], reported: bool
) -> None:
    write_tree(project, {"pyproject.toml": f"[tool.asynclint]\n{table}\n", "a.py": SLEEPY})
    result = run(*flags, "a.py")
    assert (result.exit_code, _reported(result.stdout)) == (
        (1, ["a.py"]) if reported else (0, [])
    ), result.output


class TestPerFileIgnores:
    CONFIG = (
        "[tool.asynclint.per-file-ignores]\n"
        '"tests/**" = ["AL2"]\n'
        '"*_generated.py" = ["AL201"]\n'
        '"scripts/*.py" = ["AL201"]\n'
    )

    def _tree(self, root: Path) -> None:
        write_tree(
            root,
            {
                "pyproject.toml": self.CONFIG,
                "src/app.py": SLEEPY,
                "src/deep/api_generated.py": SLEEPY,
                "tests/test_app.py": SLEEPY,
                "tests/unit/deeper/test_x.py": SLEEPY,
                "scripts/run.py": SLEEPY,
                "scripts/nested/run.py": SLEEPY,
                "other/tests/test_y.py": SLEEPY,
            },
        )

    def test_globs(self, run: Run, project: Path) -> None:
        self._tree(project)
        result = run(".", "--no-test-profile")
        # `scripts/*.py` stays within one folder; `tests/**` is anchored at the config's folder.
        assert _reported(result.stdout) == [
            "other/tests/test_y.py",
            "scripts/nested/run.py",
            "src/app.py",
        ]

    def test_relative_to_the_configuration_not_the_working_directory(
        self, run: Run, project: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self._tree(project)
        monkeypatch.chdir(project / "tests")
        result = run("-q", ".", "../src")
        assert _reported(result.stdout) == ["../src/app.py"]

    def test_command_line_select_does_not_undo_them(self, run: Run, project: Path) -> None:
        self._tree(project)
        result = run("--select", "AL201", "--no-test-profile", "tests", "src/app.py")
        assert _reported(result.stdout) == ["src/app.py"]

    def test_apply_to_stdin_filename(self, run: Run, project: Path) -> None:
        self._tree(project)
        no_profile = ("--no-test-profile", "--stdin-filename")
        assert run("-", *no_profile, "tests/test_new.py", input=SLEEPY).exit_code == 0
        assert run("-", *no_profile, "src/new.py", input=SLEEPY).exit_code == 1


class TestExclude:
    def test_extend_exclude_adds_to_the_defaults(self, run: Run, project: Path) -> None:
        write_tree(
            project,
            {
                "pyproject.toml": (
                    '[tool.asynclint]\nextend-exclude = ["generated", "src/legacy/**"]\n'
                ),
                "src/app.py": SLEEPY,
                "src/legacy/old.py": SLEEPY,
                "src/legacy/deeper/older.py": SLEEPY,
                "generated/x.py": SLEEPY,
                "src/generated/y.py": SLEEPY,
                "legacy/kept.py": SLEEPY,
                "build/out.py": SLEEPY,
            },
        )
        result = run(".")
        assert _reported(result.stdout) == ["legacy/kept.py", "src/app.py"]

    def test_exclude_replaces_the_defaults(self, run: Run, project: Path) -> None:
        write_tree(
            project,
            {
                "pyproject.toml": '[tool.asynclint]\nexclude = ["custom"]\n',
                "build/out.py": SLEEPY,
                "custom/x.py": SLEEPY,
                "app.py": SLEEPY,
            },
        )
        assert _reported(run(".").stdout) == ["app.py", "build/out.py"]

    def test_command_line_exclude_and_extend_exclude(self, run: Run, project: Path) -> None:
        write_tree(
            project,
            {
                "pyproject.toml": '[tool.asynclint]\nextend-exclude = ["gen"]\n',
                "gen/a.py": SLEEPY,
                "build/b.py": SLEEPY,
                "tools/c.py": SLEEPY,
                "d.py": SLEEPY,
            },
        )
        # --exclude replaces the `exclude` list (here the defaults, so build/ is linted); the
        # configured extend-exclude still applies, as in ruff ...
        assert _reported(run("--exclude", "tools", ".").stdout) == ["build/b.py", "d.py"]
        # ... and --extend-exclude adds to both.
        assert _reported(run("--extend-exclude", "*.py", ".").stdout) == []
        assert _reported(run("--extend-exclude", "tools", ".").stdout) == ["d.py"]


class TestConfigOption:
    def test_plain_toml_with_options_at_top_level(self, run: Run, project: Path) -> None:
        write_tree(
            project,
            {
                "pyproject.toml": '[tool.asynclint]\nselect = ["ALL"]\n',
                "ci/asynclint.toml": 'ignore = ["AL201"]\n',
                "a.py": SLEEPY,
            },
        )
        assert run("a.py").exit_code == 1
        assert run("--config", "ci/asynclint.toml", "a.py").exit_code == 0

    def test_explicit_pyproject_wins_over_nearer_ones(self, run: Run, project: Path) -> None:
        write_tree(
            project,
            {
                "shared/pyproject.toml": (
                    '[tool.asynclint]\nselect = ["AL2"]\n\n'
                    '[tool.asynclint.per-file-ignores]\n"quiet/*" = ["AL201"]\n'
                ),
                "pkg/pyproject.toml": '[tool.asynclint]\nignore = ["AL201"]\n',
                "pkg/a.py": SLEEPY,
                "shared/quiet/b.py": SLEEPY,
            },
        )
        result = run("--config", "shared/pyproject.toml", "pkg", "shared")
        # Patterns stay relative to the folder of the given file.
        assert _reported(result.stdout) == ["pkg/a.py"]

    def test_missing_config_file(self, run: Run, project: Path) -> None:
        write_tree(project, {"a.py": SLEEPY})
        result = run("--config", "nope.toml", "a.py")
        assert result.exit_code == 2
        assert result.stderr == (
            "asynclint: error: cannot read configuration file nope.toml: "
            "No such file or directory\n"
        )
        assert result.stdout == ""


class TestErrors:
    @pytest.mark.parametrize(
        ("text", "message"),
        [
            (
                '[tool.asynclint]\nselct = ["AL2"]\n',
                "unknown option in [tool.asynclint]: selct; did you mean select?",
            ),
            (
                '[tool.asynclint]\nextend_select = ["AL2"]\n',
                "unknown option in [tool.asynclint]: extend_select; did you mean extend-select?",
            ),
            (
                '[tool.asynclint]\nfrobnicate = ["AL2"]\n',
                "unknown option in [tool.asynclint]: frobnicate (known: allow-blocking-calls, "
                "cache-dir, exclude, extend-blocking-calls, extend-exclude, extend-select, "
                "ignore, per-file-ignores, python, select, test-paths, test-profile)",
            ),
            (
                "[tool.asynclint]\nfoo = 1\nbar = 2\n",
                "unknown options in [tool.asynclint]: bar, foo",
            ),
            ('[tool.asynclint]\nignore = ["AL999"]\n', "unknown rule selector 'AL999'"),
            ('[tool.asynclint]\nselect = ["AL2", "E501"]\n', "unknown rule selector 'E501'"),
            (
                '[tool.asynclint.per-file-ignores]\n"tests/*" = ["XYZ1"]\n',
                "unknown rule selector 'XYZ1'",
            ),
            ('[tool.asynclint]\nselect = "AL2"\n', "`select` must be a list of strings"),
            ("[tool.asynclint]\nignore = [201]\n", "`ignore` must be a list of strings"),
            ("[tool.asynclint]\nexclude = 3\n", "`exclude` must be a list of strings"),
            (
                "[tool.asynclint]\nextend-exclude = [true]\n",
                "`extend-exclude` must be a list of strings",
            ),
            (
                '[tool.asynclint]\nper-file-ignores = ["tests/*"]\n',
                "`per-file-ignores` must be a table of glob = [codes]",
            ),
            (
                '[tool.asynclint.per-file-ignores]\n"tests/*" = "AL2"\n',
                "`per-file-ignores.tests/*` must be a list of codes",
            ),
            ("[tool]\nasynclint = 3\n", "[tool.asynclint] must be a table"),
            ('[tool.asynclint]\nselect = ["AL2"\n', "invalid TOML: "),
        ],
    )
    def test_is_reported_with_exit_code_2(
        self, run: Run, project: Path, text: str, message: str
    ) -> None:
        write_tree(project, {"pyproject.toml": text, "a.py": SLEEPY, "b.py": CLEAN})
        result = run(".")
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith("asynclint: error: ")
        assert f"pyproject.toml: {message}" in result.stderr
        assert result.stderr.count("\n") == 1

    def test_tool_that_is_not_a_table_given_with_config(self, run: Run, project: Path) -> None:
        write_tree(project, {"pyproject.toml": "tool = 1\n", "a.py": SLEEPY})
        result = run("--config", "pyproject.toml", "a.py")
        assert result.exit_code == 2
        assert result.stderr == "asynclint: error: pyproject.toml: `tool` must be a table\n"

    def test_error_in_a_config_file_given_with_config(self, run: Run, project: Path) -> None:
        write_tree(project, {"lint.toml": 'extend-select = ["AL7"]\n', "a.py": SLEEPY})
        result = run("--config", "lint.toml", "a.py")
        assert result.exit_code == 2
        assert result.stderr == "asynclint: error: lint.toml: unknown rule selector 'AL7'\n"

    def test_error_is_reported_for_stdin_too(self, run: Run, project: Path) -> None:
        write_tree(project, {"pyproject.toml": "[tool.asynclint]\nwhat = 1\n"})
        result = run("-", "--stdin-filename", "x.py", input=SLEEPY)
        assert result.exit_code == 2
        assert "unknown option in [tool.asynclint]: what" in result.stderr


def test_finding_format_is_unchanged_by_configuration(run: Run, project: Path) -> None:
    write_tree(project, {"pyproject.toml": '[tool.asynclint]\nselect = ["AL"]\n', "a.py": SLEEPY})
    assert run("-q", "a.py").stdout == f"{finding('a.py')}\n"


def test_allow_blocking_calls_silences_time_sleep_too(project: Path, run: Run) -> None:
    write_tree(
        project,
        {
            "pyproject.toml": '[tool.asynclint]\nallow-blocking-calls = ["time.sleep"]\n',
            "app.py": "import time\n\nasync def main():\n    time.sleep(1)\n",
        },
    )
    result = run("app.py")
    assert result.exit_code == 0, result.output
