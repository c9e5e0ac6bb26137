"""``[tool.asynclint]``: which file applies, selection layering, per-file-ignores, excludes,
``--config``, and the errors a configuration can contain."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CLEAN, SLEEPY, Run, finding, write_tree

from asynclint.config import CONFIG_KEYS


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
        # As in ruff, `*` crosses `/` (`scripts/*.py` reaches scripts/nested/run.py); a pattern
        # with a `/` is anchored at the config's folder (other/tests/ is not tests/).
        assert _reported(result.stdout) == ["other/tests/test_y.py", "src/app.py"]

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
        # As in ruff, the globs of a file given with --config are relative to the working
        # directory, not to the file's folder: `quiet/*` is not shared/quiet/b.py.
        assert _reported(result.stdout) == ["pkg/a.py", "shared/quiet/b.py"]
        (project / "shared/pyproject.toml").write_text(
            '[tool.asynclint]\nselect = ["AL2"]\n\n'
            '[tool.asynclint.per-file-ignores]\n"shared/quiet/*" = ["AL201"]\n'
        )
        result = run("--config", "shared/pyproject.toml", "pkg", "shared")
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
                "unknown option in [tool.asynclint]: frobnicate (known: "
                f"{', '.join(sorted(CONFIG_KEYS))})",
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
            (
                '[tool.asynclint.extend-per-file-ignores]\n"tests/*" = ["AL2O1"]\n',
                "unknown rule selector 'AL2O1'; did you mean AL201?",
            ),
            (
                '[tool.asynclint]\nallow-blocking-calls = ["time.slep"]\n',
                "allow-blocking-calls: 'time.slep' is not a blocking call asynclint knows; "
                "did you mean time.sleep?",
            ),
            (
                '[tool.asynclint]\nallow-blocking-calls = ["requests.gett"]\n',
                "allow-blocking-calls: 'requests.gett' is not a blocking call asynclint knows; "
                "did you mean requests.get or requests.put?",
            ),
            (
                '[tool.asynclint]\ntarget-version = "py3.9"\n',
                "unknown target-version 'py3.9'; did you mean py39?",
            ),
            (
                '[tool.asynclint]\ntarget-version = "py27"\n',
                "unknown target-version 'py27'; use one of py38, py39, py310, py311, py312, "
                "py313, py314",
            ),
            ("[tool.asynclint]\nextend = 3\n", "`extend` must be the path of a configuration"),
            ('[tool.asynclint]\nextend = "../nope.toml"\n', "`extend`: no such configuration"),
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


class TestRuffGlobs:
    """The same trees and settings give the same files as ruff 0.17 (``ruff check --select
    E501`` with these per-file-ignores on the same files)."""

    TREE = ("tests/sub/x.py", "tests/t.py", "pkg/a/m.py", "pkg/m.py", "src/test_q.py", "src/m.py")

    def _tree(self, root: Path, config: str) -> None:
        write_tree(root, {"pyproject.toml": config, **dict.fromkeys(self.TREE, SLEEPY)})

    def test_star_crosses_folders_and_bare_names_match_anywhere(
        self, run: Run, project: Path
    ) -> None:
        config = (
            '[tool.asynclint.per-file-ignores]\n"tests/*" = ["AL201"]\n"test_*.py" = ["AL201"]\n'
        )
        self._tree(project, config)
        reported = _reported(run("--no-test-profile", ".").stdout)
        assert reported == ["pkg/a/m.py", "pkg/m.py", "src/m.py"]

    def test_negated_pattern_ignores_in_the_files_it_does_not_match(
        self, run: Run, project: Path
    ) -> None:
        self._tree(project, '[tool.asynclint.per-file-ignores]\n"!pkg/**" = ["AL201"]\n')
        assert _reported(run("--no-test-profile", ".").stdout) == ["pkg/a/m.py", "pkg/m.py"]

    def test_extend_per_file_ignores_adds_to_per_file_ignores(
        self, run: Run, project: Path
    ) -> None:
        config = (
            '[tool.asynclint.per-file-ignores]\n"tests/*" = ["AL201"]\n\n'
            '[tool.asynclint.extend-per-file-ignores]\n"src/*" = ["AL2"]\n'
        )
        self._tree(project, config)
        assert _reported(run("--no-test-profile", ".").stdout) == ["pkg/a/m.py", "pkg/m.py"]
        # --per-file-ignores replaces the configured per-file-ignores, not the extension ...
        result = run("--no-test-profile", "--per-file-ignores", "pkg/*:AL201", ".")
        assert _reported(result.stdout) == ["tests/sub/x.py", "tests/t.py"]
        # ... and --extend-per-file-ignores adds to both.
        result = run("--no-test-profile", "--extend-per-file-ignores", "pkg/a/*:AL2", ".")
        assert _reported(result.stdout) == ["pkg/m.py"]

    def test_command_line_globs_are_relative_to_the_working_directory(
        self, run: Run, project: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self._tree(project, "")
        monkeypatch.chdir(project / "pkg")
        result = run("--no-test-profile", "--per-file-ignores", "a/*:AL201", ".", "../src")
        assert _reported(result.stdout) == ["../src/m.py", "../src/test_q.py", "m.py"]

    @pytest.mark.parametrize("value", ["tests/*", ":AL201", "tests/*:AL9"])
    def test_bad_command_line_value(self, run: Run, project: Path, value: str) -> None:
        self._tree(project, "")
        result = run("--per-file-ignores", value, ".")
        assert result.exit_code == 2
        assert result.stderr.startswith("asynclint: error: --per-file-ignores: ")
        assert result.stderr.count("\n") == 1


class TestExtend:
    def test_inherits_with_paths_relative_to_the_extended_file(
        self, run: Run, project: Path
    ) -> None:
        write_tree(
            project,
            {
                "pyproject.toml": (
                    '[tool.asynclint]\nextend-exclude = ["tests/sub"]\n\n'
                    '[tool.asynclint.per-file-ignores]\n"tests/t.py" = ["AL201"]\n'
                ),
                "tests/pyproject.toml": '[tool.asynclint]\nextend = "../pyproject.toml"\n',
                "tests/sub/x.py": SLEEPY,
                "tests/t.py": SLEEPY,
                "tests/u.py": SLEEPY,
            },
        )
        # As ruff: the parent's globs keep meaning paths below the parent's folder.
        assert _reported(run("--no-test-profile", ".").stdout) == ["tests/u.py"]
        result = run("--no-test-profile", "tests")
        assert _reported(result.stdout) == ["tests/u.py"]

    def test_selection_layers_stack_and_extend_options_add(self, run: Run, project: Path) -> None:
        write_tree(
            project,
            {
                "base.toml": 'ignore = ["AL201"]\nextend-exclude = ["gen"]\n',
                "pyproject.toml": (
                    '[tool.asynclint]\nextend = "base.toml"\nextend-exclude = ["old"]\n'
                ),
                "a.py": SLEEPY,
                "gen/b.py": SLEEPY,
                "old/c.py": SLEEPY,
            },
        )
        assert run(".").exit_code == 0  # the parent's ignore holds, both excludes apply
        (project / "pyproject.toml").write_text(
            '[tool.asynclint]\nextend = "base.toml"\nextend-select = ["AL201"]\n'
        )
        # The child's layer comes after the parent's, as in ruff; the parent's excludes stay.
        assert _reported(run(".").stdout) == ["a.py", "old/c.py"]

    def test_a_cycle_is_one_clear_error(self, run: Run, project: Path) -> None:
        write_tree(
            project,
            {
                "pyproject.toml": '[tool.asynclint]\nextend = "sub/pyproject.toml"\n',
                "sub/pyproject.toml": '[tool.asynclint]\nextend = "../pyproject.toml"\n',
                "a.py": SLEEPY,
            },
        )
        result = run(".")
        assert result.exit_code == 2
        top, sub = project / "pyproject.toml", project / "sub" / "pyproject.toml"
        assert result.stderr == (
            f"asynclint: error: circular configuration: `{top}` extends `{sub}` extends `{top}`\n"
        )

    def test_with_config_the_chain_is_relative_to_the_working_directory(
        self, run: Run, project: Path
    ) -> None:
        write_tree(
            project,
            {
                "ci/base.toml": 'extend-exclude = ["gen"]\n',
                "ci/lint.toml": 'extend = "base.toml"\n',
                "gen/b.py": SLEEPY,
                "a.py": SLEEPY,
            },
        )
        # `extend` is found beside the file; its globs are relative to the working directory.
        assert _reported(run("--config", "ci/lint.toml", ".").stdout) == ["a.py"]


# A coroutine function in one sub-package, called without `await` in another: a finding only
# an index that holds both modules can make.
_CROSS_MODULE = {
    "lib/pyproject.toml": "[tool.asynclint]\n",
    "lib/shared/__init__.py": "",
    "lib/shared/net.py": "async def fetch():\n    return 1\n",
    "app/pyproject.toml": '[tool.asynclint]\nselect = ["AL1"]\n',
    "app/app/__init__.py": "",
    "app/app/main.py": "from shared.net import fetch\n\n\nasync def main():\n    fetch()\n",
}


class TestProjectIndexRoot:
    @pytest.mark.parametrize("marker", [".git/HEAD", ".hg/store", "pyproject.toml"])
    def test_subfolder_configurations_do_not_split_the_index(
        self, run: Run, project: Path, marker: str
    ) -> None:
        write_tree(project, {**_CROSS_MODULE, marker: ""})
        result = run("--no-cache", "app")
        assert _reported(result.stdout) == ["app/app/main.py"]
        assert "AL101" in result.stdout

    def test_near_miss_without_a_common_root(self, run: Run, project: Path) -> None:
        # No repository and no pyproject.toml above both: two projects, each indexed alone.
        write_tree(project, _CROSS_MODULE)
        assert _reported(run("--no-cache", "app").stdout) == []

    def test_the_nearest_repository_wins_over_a_pyproject_above_it(
        self, run: Run, project: Path
    ) -> None:
        write_tree(project, {"pyproject.toml": "", "app/.git/HEAD": "", **_CROSS_MODULE})
        # app/ is a repository of its own: lib/ is not part of its project.
        assert _reported(run("--no-cache", "app").stdout) == []

    def test_with_the_cache_too(self, run: Run, project: Path) -> None:
        write_tree(project, {**_CROSS_MODULE, ".git/HEAD": ""})
        assert _reported(run("app").stdout) == ["app/app/main.py"]
        assert (project / ".asynclint_cache").is_dir()
        assert _reported(run("app").stdout) == ["app/app/main.py"]


def test_allow_blocking_calls_takes_names_the_catalogue_does_not_list(
    project: Path, run: Run
) -> None:
    # A project's own helper, or a library function nothing resembles: the index may find it
    # blocks, so it is taken without a word.
    write_tree(
        project,
        {
            "pyproject.toml": (
                '[tool.asynclint]\nallow-blocking-calls = ["myapp.io.load", "os.getcwd", '
                '"requests.Session.*"]\n'
            ),
            "app.py": CLEAN,
        },
    )
    result = run("app.py")
    assert (result.exit_code, result.stderr) == (0, "")
