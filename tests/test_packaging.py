"""The built wheel ships the rules as ``asynclint.rules`` and no top-level ``rules`` package."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_has_no_top_level_rules_package(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = tmp_path.glob("asynclint-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/", 1)[0] for name in names}
    assert "rules" not in top_level
    assert "asynclint/rules/__init__.py" in names
    assert "asynclint/rules/blocking_sleep.py" in names
    assert "asynclint/cli.py" in names
    assert not any(name.startswith(("tests/", "fixtures/")) for name in names)
    # Every module of the source tree is in the wheel (the package list is explicit).
    sources = [p.relative_to(ROOT).as_posix() for p in (ROOT / "asynclint").rglob("*.py")]
    sources += [
        "asynclint/" + p.relative_to(ROOT).as_posix() for p in (ROOT / "rules").rglob("*.py")
    ]
    missing = sorted(s for s in sources if "/build/" not in s and s not in names)
    assert not missing, f"modules left out of the wheel: {missing}"
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "asynclint = asynclint.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_rules_import_as_a_subpackage() -> None:
    import asynclint.rules

    assert Path(asynclint.rules.__file__).parent == ROOT / "rules"
