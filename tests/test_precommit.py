"""The pre-commit hooks of ``.pre-commit-hooks.yaml``, run by the real ``pre-commit try-repo``.

Slow (each ``try-repo`` builds a fresh hook environment: a virtualenv with this project and its
dependencies installed by pip), but it runs by default, CI included. It is skipped only where
``pre-commit`` or ``git`` is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

pytest.importorskip("pre_commit", reason="pre-commit is not installed (it is in the test extra)")
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)

pytestmark = pytest.mark.slow

CHECKOUT = Path(__file__).resolve().parent.parent
SLEEPY = "import time\n\n\nasync def poll():\n    time.sleep(1)\n"
CLEAN = "import asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n"
OLD_LOOP = "import asyncio\n\n\nasync def main():\n    return asyncio.get_event_loop()\n"
TIMEOUT = 600


def _env(home: Path) -> dict[str, str]:
    """The environment without variables a surrounding git hook may set (GIT_DIR, GIT_INDEX_FILE
    ...), with pre-commit's cache and logs in ``home``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    return env


def _git(env: dict[str, str], cwd: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=asynclint tests", "-c", "user.email=tests@example.invalid"]
    command += ["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", *args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _env(tmp_path_factory.mktemp("pre-commit-home"))


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """A one-commit git repository holding this checkout's working tree as it is now.

    ``try-repo`` on a checkout with uncommitted changes snapshots only tracked files, so a new,
    not yet added ``.pre-commit-hooks.yaml`` would be missing; this snapshot has every file
    that git does not ignore, committed or not, so the test checks the files on disk."""
    if not (CHECKOUT / ".pre-commit-hooks.yaml").is_file():
        pytest.fail(f"{CHECKOUT / '.pre-commit-hooks.yaml'} is missing")
    if not (CHECKOUT / ".git").exists():
        pytest.skip(f"{CHECKOUT} is not a git checkout")
    listing = _git(env, CHECKOUT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for relative in filter(None, listing.split("\0")):
        source = CHECKOUT / relative
        if source.is_file():  # not deleted in the working tree
            target = snapshot / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    _git(env, snapshot, "init", "-q")
    _git(env, snapshot, "add", "-A")
    _git(env, snapshot, "commit", "-q", "--no-verify", "-m", "snapshot")
    return snapshot


@pytest.fixture
def user_repo(tmp_path: Path, env: dict[str, str]) -> Path:
    """An empty git repository, the project that uses the hooks."""
    _git(env, tmp_path, "init", "-q")
    return tmp_path


def commit_file(repo: Path, env: dict[str, str], name: str, text: str) -> Path:
    path = repo / name
    path.write_text(text, encoding="utf-8")
    _git(env, repo, "add", name)
    return path


def try_repo(
    hook_repo: Path, hook: str, repo: Path, env: dict[str, str], files: Sequence[str]
) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo HOOK_REPO HOOK --files FILES`` in ``repo``."""
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook]
    command += ["--color", "never", "--verbose", "--files", *files]
    return subprocess.run(
        command,
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def _output(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


def test_lint_hook_fails_on_a_finding_and_passes_once_fixed(
    hook_repo: Path, user_repo: Path, env: dict[str, str]
) -> None:
    commit_file(user_repo, env, "ok.py", CLEAN)
    commit_file(user_repo, env, "bad.py", SLEEPY)

    failed = try_repo(hook_repo, "asynclint", user_repo, env, ["ok.py", "bad.py"])
    assert failed.returncode == 1, _output(failed)
    assert "bad.py:5:5: AL201" in failed.stdout, _output(failed)
    assert "ok.py:" not in failed.stdout, _output(failed)
    assert (user_repo / "bad.py").read_text(encoding="utf-8") == SLEEPY  # lint only

    commit_file(user_repo, env, "bad.py", CLEAN)
    passed = try_repo(hook_repo, "asynclint", user_repo, env, ["ok.py", "bad.py"])
    assert passed.returncode == 0, _output(passed)
    assert "AL201" not in passed.stdout, _output(passed)


def test_fix_hook_applies_safe_fixes_then_passes(
    hook_repo: Path, user_repo: Path, env: dict[str, str]
) -> None:
    loop = commit_file(user_repo, env, "loop.py", OLD_LOOP)
    sleepy = commit_file(user_repo, env, "sleepy.py", SLEEPY)

    fixed = try_repo(hook_repo, "asynclint-fix", user_repo, env, ["loop.py"])
    assert fixed.returncode == 1, _output(fixed)
    assert "files were modified by this hook" in fixed.stdout, _output(fixed)
    assert loop.read_text(encoding="utf-8") == OLD_LOOP.replace(
        "get_event_loop", "get_running_loop"
    )

    _git(env, user_repo, "add", "loop.py")
    passed = try_repo(hook_repo, "asynclint-fix", user_repo, env, ["loop.py"])
    assert passed.returncode == 0, _output(passed)

    # AL201's fix is unsafe: the hook leaves the file alone and fails on the finding.
    unsafe = try_repo(hook_repo, "asynclint-fix", user_repo, env, ["sleepy.py"])
    assert unsafe.returncode == 1, _output(unsafe)
    assert "sleepy.py:5:5: AL201" in unsafe.stdout, _output(unsafe)
    assert "files were modified by this hook" not in unsafe.stdout, _output(unsafe)
    assert sleepy.read_text(encoding="utf-8") == SLEEPY


EXCLUDING = '[tool.asynclint]\nextend-exclude = ["generated"]\n'


def test_hooks_skip_files_the_configuration_excludes(
    hook_repo: Path, user_repo: Path, env: dict[str, str]
) -> None:
    """pre-commit names every staged file; the hooks pass --force-exclude, so the excluded ones
    are neither reported nor fixed (as ``asynclint .`` would skip them)."""
    commit_file(user_repo, env, "pyproject.toml", EXCLUDING)
    (user_repo / "generated").mkdir()
    commit_file(user_repo, env, "generated/sleepy.py", SLEEPY)
    loop = commit_file(user_repo, env, "generated/loop.py", OLD_LOOP)
    commit_file(user_repo, env, "bad.py", SLEEPY)
    names = ["generated/sleepy.py", "generated/loop.py", "bad.py"]

    linted = try_repo(hook_repo, "asynclint", user_repo, env, names)
    assert linted.returncode == 1, _output(linted)
    assert "bad.py:5:5: AL201" in linted.stdout, _output(linted)
    assert "generated/" not in linted.stdout, _output(linted)

    only_excluded = try_repo(hook_repo, "asynclint", user_repo, env, names[:2])
    assert only_excluded.returncode == 0, _output(only_excluded)

    fixed = try_repo(hook_repo, "asynclint-fix", user_repo, env, names[:2])
    assert fixed.returncode == 0, _output(fixed)
    assert loop.read_text(encoding="utf-8") == OLD_LOOP


def _readme_section(title: str) -> str:
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    return readme.split(f"\n### {title}\n", 1)[1].split("\n### ", 1)[0]


def _blocks(section: str, language: str) -> list[str]:
    return [
        block.split("\n", 1)[1]
        for block in section.split("```")[1::2]
        if block.startswith(language)
    ]


def _with_asynclint_on_path(env: dict[str, str]) -> dict[str, str]:
    """``env`` with this interpreter's scripts (``asynclint``, ``pre-commit``) on the PATH."""
    scripts = str(Path(sys.executable).parent)
    return {**env, "PATH": os.pathsep.join([scripts, env.get("PATH", "")])}


def test_readme_pre_commit_snippet_works(
    hook_repo: Path, user_repo: Path, env: dict[str, str]
) -> None:
    """The README's shell snippet, with its clone's path replaced by a clone of this checkout,
    writes a configuration that pre-commit runs: the hook fails on a finding."""
    (snippet,) = [b for b in _blocks(_readme_section("pre-commit"), "sh") if "rev:" in b]
    assert "/path/to/asynclint" in snippet
    script = snippet.replace("/path/to/asynclint", str(hook_repo))
    commit_file(user_repo, env, "ok.py", CLEAN)
    commit_file(user_repo, env, "bad.py", SLEEPY)
    done = subprocess.run(
        ["bash", "-e", "-c", script.replace("pre-commit run", "pre-commit run --color never")],
        cwd=user_repo,
        env=_with_asynclint_on_path(env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    config = (user_repo / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    head = _git(env, hook_repo, "rev-parse", "HEAD").strip()
    assert f"repo: {hook_repo}" in config and f"rev: {head}" in config
    assert done.returncode == 1, _output(done)
    assert "bad.py:5:5: AL201" in done.stdout, _output(done)
    assert "ok.py:" not in done.stdout, _output(done)


def test_readme_local_hook_works(user_repo: Path, env: dict[str, str]) -> None:
    """The README's `repo: local` configuration, with asynclint installed where git runs."""
    (config,) = [b for b in _blocks(_readme_section("pre-commit"), "yaml") if "repo: local" in b]
    commit_file(user_repo, env, ".pre-commit-config.yaml", config)
    commit_file(user_repo, env, "pyproject.toml", EXCLUDING)
    (user_repo / "generated").mkdir()
    commit_file(user_repo, env, "generated/sleepy.py", SLEEPY)
    commit_file(user_repo, env, "bad.py", SLEEPY)
    command = [sys.executable, "-m", "pre_commit", "run", "--color", "never", "--all-files"]
    done = subprocess.run(
        command,
        cwd=user_repo,
        env=_with_asynclint_on_path(env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1, _output(done)
    assert "bad.py:5:5: AL201" in done.stdout, _output(done)
    assert "generated/" not in done.stdout, _output(done)
