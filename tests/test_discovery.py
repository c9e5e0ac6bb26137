"""Which files are linted: suffixes, skipped folders, .gitignore, explicit paths, links."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import CLEAN, SLEEPY, SLEEPY_FIXED, UNSAFE_HINT, Run, finding, write_tree

from asynclint.config import ConfigFinder
from asynclint.discovery import FileFinder


def found(*paths: str, force_exclude: bool = False) -> list[str]:
    """The files discovery yields for ``paths`` (run from the working directory)."""
    finder = FileFinder(ConfigFinder(), force_exclude=force_exclude)
    files = finder.find(list(paths) or ["."])
    assert finder.problems == []
    return sorted(path.as_posix() for path in files)


def test_recursion_picks_py_and_pyi_only(project: Path) -> None:
    write_tree(
        project,
        {
            "a.py": "",
            "b.pyi": "",
            "c.txt": "",
            "d.pyc": "",
            "e.py.bak": "",
            "f.pyw": "",
            "g.PY": "",
            "pyfile": "",
            "pkg/__init__.py": "",
            "pkg/sub/deep.py": "",
            "pkg/sub/notes.md": "",
        },
    )
    assert found() == ["a.py", "b.pyi", "pkg/__init__.py", "pkg/sub/deep.py"]
    assert found("pkg") == ["pkg/__init__.py", "pkg/sub/deep.py"]


def test_default_excluded_folders_and_virtual_environments(project: Path) -> None:
    skipped = [
        ".git/hooks/x.py",
        ".venv/lib/x.py",
        "venv/x.py",
        "__pycache__/x.py",
        "pkg/__pycache__/x.py",
        "build/x.py",
        "pkg/build/x.py",
        "dist/x.py",
        "node_modules/x.py",
        ".tox/py311/x.py",
        ".mypy_cache/x.py",
        "site-packages/x.py",
        "my-env/lib/python3.11/site.py",
    ]
    write_tree(project, {path: "" for path in skipped})
    write_tree(project, {"my-env/pyvenv.cfg": "home = /usr/bin\n", "pkg/kept.py": ""})
    write_tree(project, {"builder/kept.py": "", "distutils_kept.py": ""})
    assert found() == ["builder/kept.py", "distutils_kept.py", "pkg/kept.py"]


def test_virtual_environment_named_on_the_command_line_is_walked(project: Path) -> None:
    write_tree(project, {"env/pyvenv.cfg": "", "env/x.py": ""})
    assert found() == []
    assert found("env") == ["env/x.py"]


GITIGNORE_TREE = ["a.py", "gen.py", "gen/a.py", "pkg/a.py", "pkg/gen.py", "pkg/gen/a.py"]


class TestGitignore:
    @pytest.mark.parametrize(
        ("patterns", "expected"),
        [
            # a plain name matches at any depth, files and folders
            ("gen.py\n", ["a.py", "gen/a.py", "pkg/a.py", "pkg/gen/a.py"]),
            ("gen\n", ["a.py", "gen.py", "pkg/a.py", "pkg/gen.py"]),
            # comments and blank lines are ignored
            ("# gen.py\n\n", GITIGNORE_TREE),
            # a leading slash anchors at the .gitignore's folder
            ("/gen.py\n/gen/\n", ["a.py", "pkg/a.py", "pkg/gen.py", "pkg/gen/a.py"]),
            # a slash in the middle anchors too
            ("pkg/gen.py\n", ["a.py", "gen.py", "gen/a.py", "pkg/a.py", "pkg/gen/a.py"]),
            # `**` spans folders
            ("**/gen/*.py\n", ["a.py", "gen.py", "pkg/a.py", "pkg/gen.py"]),
            ("pkg/**/a.py\n", ["a.py", "gen.py", "gen/a.py", "pkg/gen.py"]),
            ("gen/**\n", ["a.py", "gen.py", "pkg/a.py", "pkg/gen.py", "pkg/gen/a.py"]),
            # negation re-includes; the last matching pattern wins
            ("*.py\n!a.py\n", ["a.py", "gen/a.py", "pkg/a.py", "pkg/gen/a.py"]),
            ("!a.py\n*.py\n", []),
            ("*.py\n!/pkg/a.py\n", ["pkg/a.py"]),
            # character classes and `?`
            ("[!g]*.py\n", ["gen.py", "pkg/gen.py"]),
            ("[g]en.py\n", ["a.py", "gen/a.py", "pkg/a.py", "pkg/gen/a.py"]),
            ("?.py\n", ["gen.py", "pkg/gen.py"]),
            # trailing spaces are dropped
            ("gen.py   \n", ["a.py", "gen/a.py", "pkg/a.py", "pkg/gen/a.py"]),
        ],
    )
    def test_patterns(self, project: Path, patterns: str, expected: list[str]) -> None:
        write_tree(project, {".gitignore": patterns, **dict.fromkeys(GITIGNORE_TREE, "")})
        assert found() == expected

    def test_directory_only_pattern(self, project: Path) -> None:
        # `mod.py/` skips a folder named mod.py but not a file of that name.
        write_tree(project, {".gitignore": "mod.py/\n", "mod.py/inner.py": "", "pkg/mod.py": ""})
        assert found() == ["pkg/mod.py"]
        (project / ".gitignore").write_text("mod.py\n")
        assert found() == []

    def test_nested_gitignore_overrides_the_parent(self, project: Path) -> None:
        write_tree(
            project,
            {
                ".git/HEAD": "",
                ".gitignore": "*_gen.py\n",
                "keep_gen.py": "",
                "sub/.gitignore": "!keep_gen.py\nlocal.py\n",
                "sub/keep_gen.py": "",
                "sub/other_gen.py": "",
                "sub/local.py": "",
                "local.py": "",
            },
        )
        assert found() == ["local.py", "sub/keep_gen.py"]
        assert found("sub") == ["sub/keep_gen.py"]

    def test_walked_folders_own_gitignore_applies_without_a_repository(self, project: Path) -> None:
        write_tree(project, {"proj/.gitignore": "skip.py\n", "proj/skip.py": "", "proj/k.py": ""})
        assert found("proj") == ["proj/k.py"]

    def test_ancestor_gitignore_applies_only_inside_a_repository(self, project: Path) -> None:
        write_tree(project, {".gitignore": "gen/\n", "pkg/gen/x.py": "", "pkg/y.py": ""})
        # No .git above: the .gitignore above the named folder is not read.
        assert found("pkg") == ["pkg/gen/x.py", "pkg/y.py"]
        (project / ".git").mkdir()
        assert found("pkg") == ["pkg/y.py"]
        assert found("pkg/gen") == ["pkg/gen/x.py"]  # named on the command line

    def test_gitignore_above_the_repository_root_is_not_read(self, project: Path) -> None:
        write_tree(project, {".gitignore": "*.py\n", "repo/.git/HEAD": "", "repo/x.py": ""})
        assert found("repo") == ["repo/x.py"]

    def test_git_info_exclude(self, project: Path) -> None:
        write_tree(project, {".git/info/exclude": "secret.py\n", "secret.py": "", "pkg/x.py": ""})
        assert found() == ["pkg/x.py"]
        assert found("pkg") == ["pkg/x.py"]

    def test_whitelist_gitignore_does_not_hide_its_own_folder(self, project: Path) -> None:
        write_tree(
            project,
            {".git/HEAD": "", "pkg/.gitignore": "*\n!*.py\n", "pkg/x.py": "", "pkg/x.txt": ""},
        )
        assert found("pkg/x.py", force_exclude=True) == ["pkg/x.py"]
        assert found("pkg", force_exclude=True) == ["pkg/x.py"]


class TestExplicitPaths:
    def test_excluded_file_named_is_linted_unless_force_exclude(self, project: Path) -> None:
        write_tree(project, {"build/x.py": "", "dist/pkg/y.py": "", "ok.py": ""})
        assert found("build/x.py", "dist/pkg/y.py", "ok.py") == [
            "build/x.py",
            "dist/pkg/y.py",
            "ok.py",
        ]
        assert found("build/x.py", "dist/pkg/y.py", "ok.py", force_exclude=True) == ["ok.py"]

    def test_excluded_folder_named_is_walked_unless_force_exclude(self, project: Path) -> None:
        write_tree(project, {"build/x.py": "", "build/sub/y.py": ""})
        assert found("build") == ["build/sub/y.py", "build/x.py"]
        assert found("build", force_exclude=True) == []
        assert found("build/sub", force_exclude=True) == []

    def test_gitignored_file_named(self, project: Path) -> None:
        write_tree(
            project,
            {".git/HEAD": "", ".gitignore": "secret.py\nout/\n", "secret.py": "", "out/z.py": ""},
        )
        assert found("secret.py", "out/z.py") == ["out/z.py", "secret.py"]
        assert found("secret.py", "out/z.py", force_exclude=True) == []

    def test_configured_exclude_with_force_exclude(self, project: Path) -> None:
        write_tree(
            project,
            {
                "pyproject.toml": '[tool.asynclint]\nextend-exclude = ["migrations", "gen/**"]\n',
                "app/migrations/0001.py": "",
                "gen/sub/x.py": "",
                "app/models.py": "",
            },
        )
        named = ["app/migrations/0001.py", "gen/sub/x.py", "app/models.py"]
        assert found(*named) == sorted(named)
        assert found(*named, force_exclude=True) == ["app/models.py"]

    def test_folders_above_the_configuration_do_not_count(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The project itself lives in a folder named like a default exclusion.
        proj = write_tree(tmp_path / "build" / "proj", {"pyproject.toml": "[tool.asynclint]\n"})
        write_tree(proj, {"a.py": "", "dist/b.py": ""})
        monkeypatch.chdir(proj)
        assert found("a.py", "dist/b.py", force_exclude=True) == ["a.py"]
        assert found(".", force_exclude=True) == ["a.py"]

    def test_force_exclude_through_the_command_line(self, run: Run, project: Path) -> None:
        write_tree(project, {"build/x.py": SLEEPY, "a.py": SLEEPY})
        assert (
            run("-q", "build/x.py", "a.py").stdout
            == f"{finding('a.py')}\n{finding('build/x.py')}\n"
        )
        assert run("-q", "--force-exclude", "build/x.py", "a.py").stdout == f"{finding('a.py')}\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
class TestSymlinks:
    def test_link_to_a_file_is_linted(self, run: Run, project: Path) -> None:
        write_tree(project, {"real/target.py": SLEEPY})
        (project / "link.py").symlink_to(project / "real" / "target.py")
        # One file under two names is linted once, under the name found first.
        assert found() == ["link.py"]
        assert run("-q", "link.py").stdout == f"{finding('link.py')}\n"

    def test_fixing_through_a_link_keeps_the_link(self, run: Run, project: Path) -> None:
        write_tree(project, {"real/target.py": SLEEPY})
        link = project / "link.py"
        link.symlink_to(Path("real") / "target.py")
        assert run("--fix", "--unsafe-fixes", "link.py").exit_code == 0
        assert link.is_symlink()
        assert (project / "real" / "target.py").read_text() == SLEEPY_FIXED

    def test_link_to_a_folder_inside_a_tree_is_not_followed(self, project: Path) -> None:
        write_tree(project, {"real/x.py": "", "pkg/y.py": ""})
        (project / "pkg" / "alias").symlink_to(project / "real", target_is_directory=True)
        (project / "pkg" / "up").symlink_to(project, target_is_directory=True)
        assert found("pkg") == ["pkg/y.py"]
        assert found("pkg/alias") == ["pkg/alias/x.py"]

    def test_broken_link(self, run: Run, project: Path) -> None:
        write_tree(project, {"a.py": SLEEPY})
        (project / "dangling.py").symlink_to(project / "gone.py")
        (project / "pkg").mkdir()
        (project / "pkg" / "dangling.py").symlink_to(project / "gone.py")
        result = run(".")
        assert result.stderr == (
            "asynclint: error: dangling.py: broken symbolic link\n"
            "asynclint: error: pkg/dangling.py: broken symbolic link\n"
        )
        assert result.stdout.startswith(f"{finding('a.py')}\n")
        assert result.exit_code == 2

        # Problems are shown like findings: relative to the working directory.
        absolute = run(str(project / "pkg"))
        assert absolute.stderr == "asynclint: error: pkg/dangling.py: broken symbolic link\n"

        named = run("dangling.py", "a.py")
        assert named.stderr == "asynclint: error: dangling.py: broken symbolic link\n"
        assert named.stdout.startswith(f"{finding('a.py')}\n")
        assert named.exit_code == 2

    def test_link_loop(self, run: Run, project: Path) -> None:
        write_tree(project, {"a.py": SLEEPY})
        (project / "loop.py").symlink_to("loop.py")
        (project / "ping.py").symlink_to("pong.py")
        (project / "pong.py").symlink_to("ping.py")
        result = run(".")
        assert result.stderr == (
            "asynclint: error: loop.py: symbolic link loop\n"
            "asynclint: error: ping.py: symbolic link loop\n"
            "asynclint: error: pong.py: symbolic link loop\n"
        )
        assert result.stdout.startswith(f"{finding('a.py')}\n")
        assert result.exit_code == 2

        named = run("loop.py", "a.py")
        assert named.stderr == "asynclint: error: loop.py: symbolic link loop\n"
        assert named.stdout.startswith(f"{finding('a.py')}\n")
        assert named.exit_code == 2


def test_missing_path(run: Run, project: Path) -> None:
    write_tree(project, {"a.py": SLEEPY, "b.py": CLEAN})
    result = run("nope.py", "a.py", "b.py")
    assert result.stderr == "asynclint: error: nope.py: no such file or directory\n"
    unchecked = "1 file could not be checked (named above)."
    assert result.stdout == f"{finding('a.py')}\nFound 1 finding.\n{UNSAFE_HINT}\n{unchecked}\n"
    assert result.exit_code == 2


def test_file_without_python_suffix_named_is_linted(run: Run, project: Path) -> None:
    write_tree(project, {"script": SLEEPY})
    assert found() == []
    assert run("-q", "script").stdout == f"{finding('script')}\n"


def test_a_file_reached_twice_is_linted_once(project: Path, run: Run) -> None:
    write_tree(project, {"pkg/a.py": SLEEPY})
    result = run("pkg", "pkg/a.py", str(project / "pkg" / "a.py"), "./pkg/a.py")
    assert result.output.count("AL201") == 1


class TestIgnoreFiles:
    """``.ignore`` files, read as ruff reads them (the ``ignore`` crate's rules)."""

    def test_read_without_a_repository(self, project: Path) -> None:
        write_tree(project, {".ignore": "gen/\n", "gen/a.py": "", "pkg/gen/b.py": "", "c.py": ""})
        assert found() == ["c.py"]

    def test_wins_over_the_gitignore_beside_it(self, project: Path) -> None:
        write_tree(
            project,
            {
                ".git/HEAD": "",
                ".gitignore": "*_gen.py\n",
                ".ignore": "!keep_gen.py\n",
                "keep_gen.py": "",
                "other_gen.py": "",
            },
        )
        assert found() == ["keep_gen.py"]

    def test_above_the_named_folder_inside_a_repository(self, project: Path) -> None:
        write_tree(
            project, {".git/HEAD": "", ".ignore": "gen/\n", "pkg/gen/x.py": "", "pkg/y.py": ""}
        )
        assert found("pkg") == ["pkg/y.py"]

    def test_force_exclude_reads_it(self, project: Path) -> None:
        write_tree(
            project, {".git/HEAD": "", ".ignore": "secret.py\n", "secret.py": "", "a.py": ""}
        )
        assert found("secret.py", "a.py", force_exclude=True) == ["a.py"]
        assert found("secret.py", "a.py") == ["a.py", "secret.py"]


def test_gitignore_posix_classes_and_double_stars_as_git(project: Path, run: Run) -> None:
    write_tree(
        project,
        {
            ".git/HEAD": "",
            ".gitignore": "gen[[:digit:]].py\na**b.py\n",
            "gen1.py": SLEEPY,
            "genx.py": SLEEPY,
            "axyzb.py": SLEEPY,
            "pkg/ab.py": SLEEPY,
            "a/x/b.py": SLEEPY,
        },
    )
    result = run("-q", ".")
    assert result.stderr == ""  # no FutureWarning from a pattern
    assert sorted(line.split(":")[0] for line in result.stdout.splitlines()) == [
        "a/x/b.py",
        "genx.py",
    ]


def test_a_named_ignored_folder_keeps_the_patterns_of_its_files(project: Path) -> None:
    # As ruff: the folder is linted, but `*_skip.py` still applies to the files in it.
    write_tree(
        project,
        {
            ".git/HEAD": "",
            ".gitignore": "gen/\n*_skip.py\n",
            "pkg/gen/x.py": "",
            "pkg/gen/y_skip.py": "",
        },
    )
    assert found("pkg") == []
    assert found("pkg/gen") == ["pkg/gen/x.py"]


def test_an_ignore_file_above_applies_without_a_repository(project: Path) -> None:
    # As ruff: `.ignore` files are read from the folders above a named one, in a repository
    # or not (`.gitignore` files only inside one).
    write_tree(
        project,
        {".ignore": "gen/\n", ".gitignore": "y.py\n", "sub/gen/x.py": "", "sub/y.py": ""},
    )
    assert found("sub") == ["sub/y.py"]
