"""The pure helpers of the benchmark script (``tests/benchmark.py``, not a test itself)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path, PurePosixPath

import pytest
from benchmark import (
    ChildRun,
    Row,
    Target,
    compare_runs,
    edited,
    evenly_spaced,
    findings_in,
    first_differences,
    fit_exponent,
    package_inits,
    parse_ppid,
    parse_vmrss_kib,
    pick_one_file,
    restore_leftover_edit,
    scale_subset,
    table_lines,
    tree_members,
)


def test_fit_exponent_recovers_a_power_law() -> None:
    points = [(n, 0.003 * n**1.25) for n in (100, 200, 400, 800)]
    k, c = fit_exponent(points)
    assert k == pytest.approx(1.25)
    assert c == pytest.approx(0.003)


def test_fit_exponent_of_linear_time_is_one() -> None:
    k, _ = fit_exponent([(1375, 20.0), (2750, 40.0), (5500, 80.0), (11000, 160.0)])
    assert k == pytest.approx(1.0)


def test_fit_exponent_is_a_least_squares_fit_on_logs() -> None:
    points = [(10.0, 1.0), (100.0, 20.0), (1000.0, 100.0)]
    k, c = fit_exponent(points)
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    # The residuals of a least-squares line sum to zero and are orthogonal to x.
    residuals = [y - (math.log(c) + k * x) for x, y in zip(xs, ys, strict=True)]
    assert sum(residuals) == pytest.approx(0.0, abs=1e-9)
    assert sum(r * x for r, x in zip(residuals, xs, strict=True)) == pytest.approx(0.0, abs=1e-9)


def test_fit_exponent_needs_two_sizes() -> None:
    with pytest.raises(ValueError):
        fit_exponent([(100, 1.0), (100, 2.0)])
    with pytest.raises(ValueError):
        fit_exponent([(100, 1.0), (0, 2.0)])  # no log of 0 files


def test_evenly_spaced() -> None:
    items = list(range(16))
    assert evenly_spaced(items, 4) == [0, 4, 8, 12]
    assert evenly_spaced(items, 3) == [0, 5, 10]
    assert evenly_spaced(items, 0) == items
    assert evenly_spaced(items, 99) == items


def _paths(*names: str) -> list[PurePosixPath]:
    return [PurePosixPath(name) for name in names]


def test_package_inits_are_those_of_every_folder_above() -> None:
    available = set(
        _paths(
            "pkg/__init__.py",
            "pkg/components/__init__.py",
            "pkg/components/light/__init__.py",
            "pkg/components/light/sensor.py",
            "pkg/other/__init__.py",
        )
    )
    inits = package_inits(_paths("pkg/components/light/sensor.py"), available.__contains__)
    assert inits == set(
        _paths("pkg/__init__.py", "pkg/components/__init__.py", "pkg/components/light/__init__.py")
    )
    assert package_inits(_paths("script.py"), available.__contains__) == set()


def test_scale_subset_adds_the_packages_and_stays_sorted() -> None:
    files = _paths(
        "pkg/__init__.py",
        "pkg/a.py",
        "pkg/b.py",
        "pkg/c.py",
        "pkg/sub/__init__.py",
        "pkg/sub/d.py",
        "pkg/sub/e.py",
        "pkg/sub/f.py",
    )
    subset = scale_subset(files, 4, set(files).__contains__)
    # 8 // 4 = 2 files spread evenly: the 1st and the 5th; plus the inits above them.
    assert subset == _paths("pkg/__init__.py", "pkg/sub/__init__.py")
    half = scale_subset(files, 2, set(files).__contains__)
    assert half == _paths("pkg/__init__.py", "pkg/b.py", "pkg/sub/__init__.py", "pkg/sub/e.py")
    assert scale_subset(files[:1], 8, set(files).__contains__) == files[:1]  # at least one


def test_pick_one_file_prefers_a_median_component_module() -> None:
    root = Path("/project")
    sizes = {
        "homeassistant/core.py": 9000,
        "homeassistant/components/__init__.py": 10,
        "homeassistant/components/light/__init__.py": 4000,
        "homeassistant/components/light/sensor.py": 100,
        "homeassistant/components/light/switch.py": 300,
        "homeassistant/components/zwave/climate.py": 500,
        "homeassistant/components/zwave/fan.py": 200,
        "tests/components/light/test_sensor.py": 300,
    }
    files = [root / name for name in sizes]
    chosen = pick_one_file(root, files, lambda path: sizes[path.relative_to(root).as_posix()])
    # In a folder of components/, not in tests: 100, 200, 300, 500 and 4000; the median: 300.
    assert chosen == root / "homeassistant/components/light/switch.py"


def test_pick_one_file_without_components_takes_a_deep_median_module() -> None:
    root = Path("/project")
    sizes = {
        "setup.py": 50,
        "pkg/__init__.py": 5000,
        "pkg/top.py": 20,
        "pkg/deep/__init__.py": 0,
        "pkg/deep/one.py": 100,
        "pkg/deep/two.py": 200,
        "pkg/deep/three.py": 300,
        "tests/deep/test_one.py": 250,
    }
    files = [root / name for name in sizes]
    chosen = pick_one_file(root, files, lambda path: sizes[path.relative_to(root).as_posix()])
    assert chosen == root / "pkg/deep/two.py"


def test_first_differences() -> None:
    assert first_differences(b"a\nb\n", b"a\nb\n") == []
    assert first_differences(b"a\nb\n", b"a\nc\n") == ["line 2: 'b\\n' | 'c\\n'"]
    # A missing final newline is a difference too: byte for byte, not line for line.
    assert first_differences(b"a\nb\n", b"a\nb") == ["line 2: 'b\\n' | 'b'"]
    assert first_differences(b"a\n", b"a\nb\n") == ["line 2: (no such line) | 'b\\n'"]
    # Sorted differently is different.
    assert len(first_differences(b"1\n2\n3\n4\n", b"4\n3\n2\n1\n", limit=3)) == 3


def test_proc_parsing() -> None:
    stat = "1234 (python (worker) 2) S 99 1234 1234 0 -1 4194560 0 0"
    assert parse_ppid(stat) == 99
    status = "Name:\tpython\nVmPeak:\t  9000 kB\nVmRSS:\t    4321 kB\nThreads:\t1\n"
    assert parse_vmrss_kib(status) == 4321
    assert parse_vmrss_kib("Name:\tkworker\n") == 0


def test_tree_members_visits_each_descendant_once() -> None:
    children = {1: [2, 3], 2: [4], 3: [4], 4: [1]}  # a cycle cannot loop forever
    assert sorted(tree_members(1, lambda pid: children.get(pid, []))) == [1, 2, 3, 4]
    assert tree_members(7, lambda pid: children.get(pid, [])) == [7]


def test_edit_restores_bytes_and_times(tmp_path: Path) -> None:
    target = tmp_path / "module.py"
    target.write_bytes(b"x = 1")  # no final newline
    os.utime(target, ns=(1_000_000_123, 2_000_000_456))
    backup = tmp_path / "state" / "backup.json"
    with edited(target, b"\n# edit\n", backup):
        assert target.read_bytes() == b"x = 1\n# edit\n"
        assert backup.exists()
    assert target.read_bytes() == b"x = 1"
    assert target.stat().st_mtime_ns == 2_000_000_456
    assert not backup.exists()


def test_edit_restores_after_an_error(tmp_path: Path) -> None:
    target = tmp_path / "module.py"
    target.write_bytes(b"x = 1\n")
    with pytest.raises(RuntimeError), edited(target, b"# edit\n", tmp_path / "b.json"):
        raise RuntimeError
    assert target.read_bytes() == b"x = 1\n"


def test_leftover_backup_is_restored(tmp_path: Path) -> None:
    target = tmp_path / "module.py"
    target.write_bytes(b"x = 1\n")
    os.utime(target, ns=(5_000_000_000, 6_000_000_000))
    backup = tmp_path / "backup.json"
    context = edited(target, b"# edit\n", backup)
    context.__enter__()  # a run killed inside the block: no exit
    assert target.read_bytes() == b"x = 1\n# edit\n"
    message = restore_leftover_edit(backup)
    assert message is not None and str(target) in message
    assert target.read_bytes() == b"x = 1\n"
    assert target.stat().st_mtime_ns == 6_000_000_000
    assert not backup.exists()
    assert restore_leftover_edit(backup) is None


def test_leftover_backup_unreadable_is_left_alone(tmp_path: Path) -> None:
    backup = tmp_path / "backup.json"
    backup.write_text("{not json", encoding="utf-8")
    message = restore_leftover_edit(backup)
    assert message is not None and "could not read" in message
    assert backup.exists()


def test_target_verdict() -> None:
    row = Row("warm", walls=[0.5, 0.7, 0.6])
    target = Target("wall < 1 s", 1.0, row.median_wall, "{:.2f} s")
    assert target.verdict() == "0.60 s, ratio 0.60: met"
    assert target.met() is True
    slow = Target("wall < 0.5 s", 0.5, row.median_wall, "{:.2f} s")
    assert slow.verdict() == "0.60 s, ratio 1.20: NOT met"
    assert Target("x", 1.0, Row("empty").median_wall).verdict() == "not measured"


def test_findings_in() -> None:
    report = json.dumps([{"filename": "/p/pkg/a.py"}, {"filename": "/p/pkg/b.py"}])
    assert findings_in(report, "a.py") == 1
    assert findings_in("[]", "a.py") == 0
    assert findings_in("oops", "a.py") is None


def test_table_shows_checks_and_targets() -> None:
    timed = Row("lint", walls=[2.0], cpus=[3.0], files=10, lines=100, on_corpus=True)
    timed.targets = [Target("wall < 1 s", 1.0, timed.median_wall, "{:.2f} s")]
    check = Row("identity text", files=10, lines=100, check="identical", passed=True)
    lines = table_lines([Row("never run"), timed, check], parse_wall=1.0, all_files=10)
    assert len(lines) == 4  # header, rule, two rows: the row with nothing to show is left out
    assert "2.00 s, ratio 2.00: NOT met" in lines[2]
    assert lines[2].split()[8] == "2.00"  # x parse
    assert lines[3].rstrip().endswith("identical")


def _run(out: bytes, returncode: int = 0, code: str | None = "v1") -> ChildRun:
    return ChildRun(
        wall=1.0,
        cpu=1.0,
        max_rss_mib=10.0,
        returncode=returncode,
        out=out,
        err=b"",
        others_busy=None,
        code=code,
    )


def test_compare_runs_is_byte_for_byte() -> None:
    row = Row("identity")
    compare_runs(row, _run(b"a\nb\n"), _run(b"a\nb\n"), status=False)
    assert (row.check, row.passed) == ("identical", True)

    row = Row("identity")
    compare_runs(row, _run(b"a\nb\n"), _run(b"b\na\n"), status=False)
    assert row.passed is False and row.check.startswith("DIFFERENT")
    assert any("line 1: 'a\\n' | 'b\\n'" in note for note in row.notes)


def test_compare_runs_checks_the_exit_status() -> None:
    row = Row("status")
    compare_runs(row, _run(b"x\n", 1), _run(b"x\n", 0), status=True)
    assert row.passed is False and "exit 1 vs 0" in (row.check or "")
    row = Row("status")
    compare_runs(row, _run(b"x\n", 1), _run(b"x\n", 1), status=True)
    assert (row.check, row.passed) == ("identical (exit 1)", True)


def test_compare_runs_of_different_code_is_inconclusive() -> None:
    row = Row("identity")
    compare_runs(row, _run(b"x\n", code="v1"), _run(b"x\n", code="v2"), status=False)
    assert row.passed is None and "inconclusive" in (row.check or "")
    row = Row("identity")
    compare_runs(row, _run(b"x\n", code=None), _run(b"x\n", code=None), status=False)
    assert row.passed is None
    row = Row("identity")
    compare_runs(row, None, _run(b"x\n"), status=False)
    assert row.passed is None and (row.check or "").startswith("not measured")
