"""Where the index cache lives: ``--cache-dir``, ``ASYNCLINT_CACHE_DIR``, ``cache-dir`` in
``[tool.asynclint]``, each project's ``.asynclint_cache`` by default; ``--clear-cache``."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SLEEPY, Run, write_tree

from asynclint.cli import main

TREE = {"pyproject.toml": "", "app/__init__.py": "", "app/poll.py": SLEEPY}


def _entries(folder: Path) -> list[Path]:
    return list(folder.glob("asynclint.sqlite3*"))


def test_the_default_is_the_projects_own_folder(run: Run, project: Path) -> None:
    write_tree(project, TREE)
    run("-q", ".")
    assert _entries(project / ".asynclint_cache")


def test_the_command_line_chooses_another_folder(
    run: Run, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    write_tree(project, TREE)
    elsewhere = tmp_path_factory.mktemp("cache")
    assert run("-q", "--cache-dir", str(elsewhere), ".").exit_code == 1
    assert _entries(elsewhere)
    assert (elsewhere / ".gitignore").exists()
    assert not (project / ".asynclint_cache").exists()


def test_the_environment_variable(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    from click.testing import CliRunner

    write_tree(project, TREE)
    elsewhere = tmp_path_factory.mktemp("cache")
    result = CliRunner().invoke(
        main, ["-q", "--jobs", "1", "."], env={"ASYNCLINT_CACHE_DIR": str(elsewhere)}
    )
    assert result.exit_code == 1
    assert _entries(elsewhere)
    assert not (project / ".asynclint_cache").exists()


def test_the_configuration_relative_to_its_folder_and_the_flag_over_it(
    run: Run, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    write_tree(project, {**TREE, "pyproject.toml": '[tool.asynclint]\ncache-dir = "build/lint"\n'})
    run("-q", ".")
    assert _entries(project / "build/lint")
    elsewhere = tmp_path_factory.mktemp("cache")
    run("-q", "--cache-dir", str(elsewhere), ".")
    assert _entries(elsewhere)


def test_a_bad_cache_dir_setting_is_an_error(run: Run, project: Path) -> None:
    write_tree(project, {**TREE, "pyproject.toml": "[tool.asynclint]\ncache-dir = 3\n"})
    result = run(".")
    assert result.exit_code == 2
    assert "`cache-dir` must be a path" in result.stderr


def test_clear_cache_empties_only_what_asynclint_wrote(run: Run, project: Path) -> None:
    write_tree(project, {**TREE, "pyproject.toml": '[tool.asynclint]\ncache-dir = "."\n'})
    run("-q", ".")
    assert _entries(project)
    result = run("--clear-cache", "--no-cache", ".")
    assert "asynclint: cleared the cache in ." in result.stderr
    assert not _entries(project)
    # A cache folder set to the project itself loses only asynclint's entries.
    assert (project / "app/poll.py").read_text() == SLEEPY
    assert (project / "pyproject.toml").exists()


def test_clear_cache_then_lints_with_a_fresh_one(run: Run, project: Path) -> None:
    write_tree(project, TREE)
    run("-q", ".")
    stale = _entries(project / ".asynclint_cache")
    result = run("-q", "--clear-cache", ".")
    assert result.exit_code == 1
    assert result.stderr == ""  # quiet
    fresh = _entries(project / ".asynclint_cache")
    assert fresh and all(not path.exists() or path in fresh for path in stale)
