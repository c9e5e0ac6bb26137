"""The flake8 plugin, through the real ``flake8`` command: the same findings as ``asynclint``
on the same tree, options read from flake8's configuration, and a listed version."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_tree

pytest.importorskip("flake8")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def _lines(output: str) -> set[str]:
    return {line for line in output.splitlines() if line.strip()}


def test_flake8_and_asynclint_report_the_same_findings(tmp_path: Path) -> None:
    """Every fixture of the repository, as a project of its own: identical paths, positions,
    codes and messages (the project index included, built from the shared cache)."""
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'fixtures'\n")
    for config in (tmp_path / "fixtures").rglob("pyproject.toml"):
        # flake8 reads its own configuration, not [tool.asynclint] (which turns AL4xx on in
        # a project fixture): compare the two on the same selection.
        text = config.read_text()
        config.write_text(text.split("[tool.asynclint]")[0])
    ours = _run("asynclint", "--no-cache", "fixtures", cwd=tmp_path)
    assert ours.returncode == 1, ours.stderr
    flake8 = _run("flake8", "--select", "AL", "fixtures", cwd=tmp_path)
    assert flake8.returncode == 1, flake8.stderr
    expected = {line for line in _lines(ours.stdout) if ": AL" in line}
    assert len(expected) > 300
    assert _lines(flake8.stdout) == expected


def test_options_come_from_flake8_configuration(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": (
                "import mylib\nimport time\n\nasync def main():\n"
                "    mylib.fetch_now()\n    time.sleep(1)\n"
            ),
            "setup.cfg": (
                "[flake8]\n"
                "asynclint-extend-blocking-calls = mylib.fetch_now=network\n"
                "asynclint-allow-blocking-calls = time.sleep\n"
            ),
        },
    )
    result = _run("flake8", "--select", "AL", "app.py", cwd=tmp_path)
    assert [line.split(": ")[1].split()[0] for line in _lines(result.stdout)] == ["AL202"]
    assert result.stdout.startswith("app.py:5:5: AL202 ")


def test_a_bad_option_is_one_clear_line(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": "async def main():\n    pass\n",
            "tox.ini": "[flake8]\nasynclint-extend-blocking-calls = mylib.fetch_now=teleport\n",
        },
    )
    result = _run("flake8", "--select", "AL", "app.py", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "asynclint:" in result.stderr and "teleport" in result.stderr


def test_noqa_and_selection_are_flake8s_and_ours(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "app.py": (
                "import time\n\nasync def main():\n"
                "    time.sleep(1)  # noqa: AL201\n"
                "    time.sleep(2)  # noqa: ASYNC251\n"
                "    time.sleep(3)\n"
            ),
        },
    )
    result = _run("flake8", "--select", "AL", "app.py", cwd=tmp_path)
    assert [line.split(":")[1] for line in _lines(result.stdout)] == ["6"]
    ignored = _run("flake8", "--select", "AL", "--ignore", "AL201", "app.py", cwd=tmp_path)
    assert ignored.stdout == ""


def test_rules_off_by_default_need_flake8s_select(tmp_path: Path) -> None:
    """AL4xx runs under flake8 only when ``select``/``extend-select`` names it or its family;
    ``AL`` turns the plugin on with its default rules."""
    write_tree(
        tmp_path,
        {
            "app.py": (
                "import time\n\nasync def fetch(url): ...\n\n"
                "async def main(urls):\n"
                "    time.sleep(1)\n"
                "    for url in urls:\n"
                "        await fetch(url)\n"
            ),
        },
    )

    def codes(*flags: str) -> list[str]:
        result = _run("flake8", *flags, "app.py", cwd=tmp_path)
        found = (line.split(": ")[1].split()[0] for line in _lines(result.stdout))
        return sorted(code for code in found if code.startswith("AL"))

    assert codes() == ["AL201"]
    assert codes("--select", "AL") == ["AL201"]
    assert codes("--select", "AL,AL4") == ["AL201", "AL402"]
    assert codes("--extend-select", "AL4") == ["AL201", "AL402"]
    assert codes("--select", "AL402") == ["AL402"]


def test_flake8_version_lists_asynclint(tmp_path: Path) -> None:
    result = _run("flake8", "--version", cwd=tmp_path)
    assert "asynclint:" in result.stdout


def test_the_plugin_sees_across_modules_through_the_cache(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'shop'\n",
            "shop/__init__.py": "",
            "shop/api.py": "async def fetch(url):\n    return url\n",
            "shop/uses.py": "from shop.api import fetch\n\nasync def main():\n    fetch('x')\n",
        },
    )
    result = _run("flake8", "--select", "AL", "-j", "2", "shop", cwd=tmp_path)
    assert result.stdout.startswith("shop/uses.py:4:5: AL101 "), result.stdout + result.stderr
    assert (tmp_path / ".asynclint_cache").is_dir()


def test_a_project_file_the_index_cannot_read_is_named_on_stderr(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'shop'\n",
            "shop/__init__.py": "",
            "shop/broken.py": "def broken(:\n",
            "shop/uses.py": "async def main():\n    pass\n",
        },
    )
    result = _run("flake8", "--select", "AL", "-j", "1", "shop/uses.py", cwd=tmp_path)
    assert "could not be read for the project index" in result.stderr, result.stderr
    assert "broken.py" in result.stderr


NETWORK = "import requests\n\n\nasync def get(url):\n    return requests.get(url)\n"
EXECUTOR = "run_in_executor(None, ...)"


@pytest.mark.parametrize(
    ("files", "args", "below_3_9"),
    [
        ({"pyproject.toml": '[project]\nrequires-python = ">=3.8"\n'}, (), True),
        ({"pyproject.toml": '[tool.asynclint]\ntarget-version = "py38"\n'}, (), True),
        ({"setup.cfg": "[flake8]\nasynclint-target-version = py38\n"}, (), True),
        ({}, ("--asynclint-target-version", "py38"), True),
        ({"pyproject.toml": '[project]\nrequires-python = ">=3.9"\n'}, (), False),
        ({}, (), False),
    ],
)
def test_the_target_version_reaches_the_advice(
    tmp_path: Path, files: dict[str, str], args: tuple[str, ...], below_3_9: bool
) -> None:
    write_tree(tmp_path, {"app.py": NETWORK, **files})
    result = _run("flake8", "--select", "AL", *args, "app.py", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    ours = _run("asynclint", "--no-cache", "app.py", cwd=tmp_path)
    assert (EXECUTOR in result.stdout) is below_3_9
    assert ("asyncio.to_thread" in result.stdout) is not below_3_9
    if not args and "setup.cfg" not in files:  # the same advice as the command line's
        assert _lines(result.stdout) == {line for line in _lines(ours.stdout) if ": AL" in line}


def test_a_bad_target_version_is_one_clear_line(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app.py": NETWORK})
    result = _run(
        "flake8", "--select", "AL", "--asynclint-target-version", "py27", "app.py", cwd=tmp_path
    )
    assert result.returncode != 0
    assert "unknown target-version 'py27'" in result.stderr
    assert "Traceback" not in result.stderr
