"""A few hundred generated programs (``tests/generated_programs.py``, which runs 10,000 on the
corpus) linted with every rule and every fix: no internal error, no timeout, no failed fix.
The programs come from a fixed seed: hypothesmith's, and mutations of the fixtures (the corpus
is not there in CI)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from generated_programs import (
    MUTATION_KINDS,
    Edit,
    Tally,
    apply_edits,
    lint_findings,
    lint_fixes,
    make_programs,
    mutation_sites,
    patch,
    python_files,
    write_batch,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SOURCE = '''"""A module."""
from __future__ import annotations

import time


async def fetch(client):
    async with client.session() as session:
        data = await session.get("/")
    time.sleep(1)
    return parse(data)


def parse(data):
    with open(data) as handle:
        return handle.read()
'''


@pytest.mark.slow
def test_generated_programs_lint_without_a_failure(tmp_path: Path) -> None:
    programs, _ = make_programs(200, 20, python_files([FIXTURES]), 0.15, jobs=2, node_share=0)
    sources = {p.source for p in programs}
    assert "hypothesmith" in sources
    assert {f"mutation:{kind}" for kind in MUTATION_KINDS} <= sources
    assert len(programs) == 200
    write_batch(tmp_path / "programs", programs)
    tally = Tally()
    # One cache for both runs: the second reads the summaries the first made.
    lint_findings(tmp_path / "programs", 2, 30, tally, tmp_path / "cache")
    lint_fixes(tmp_path / "programs", 2, 30, tally, tmp_path / "cache")
    assert tally.internal == []
    assert tally.timeouts == tally.hangs == []
    assert tally.not_compiling == []
    assert tally.unindexed == tally.other == []
    assert sum(tally.findings.values()) > 100 and tally.fixed_files > 10


def test_the_same_seed_gives_the_same_mutants() -> None:
    files = python_files([FIXTURES])
    first, _ = make_programs(30, 7, files, share=0)
    again, _ = make_programs(30, 7, files, share=0)
    assert first == again


@pytest.mark.parametrize(
    ("kind", "edited"),
    [
        ("remove-await", '        data = session.get("/")\n'),
        ("add-await", "    await time.sleep(1)\n"),
        ("create-task", "    asyncio.create_task(time.sleep(1))\n"),
        ("toggle-async", "async def parse(data):\n"),
        ("swap-with", "    with client.session() as session:\n"),
    ],
)
def test_each_mutation_edits_the_text_in_place(kind: str, edited: str) -> None:
    sites = mutation_sites(SOURCE, kind)
    assert sites
    mutants = [apply_edits(SOURCE, site) for site in sites]
    assert any(edited in mutant.splitlines(keepends=True) for mutant in mutants), mutants
    for mutant in mutants:  # one line changed, the rest as it was
        changed = set(mutant.splitlines()) ^ set(SOURCE.splitlines())
        assert len(changed) <= 2


def test_insertions_at_one_place_keep_their_order() -> None:
    edits = [Edit(0, 0, "a"), Edit(0, 0, "b"), Edit(1, 2, "")]
    assert apply_edits("xyz", edits) == "abxz"


def test_a_diff_is_applied_to_the_original() -> None:
    import difflib

    rng = random.Random(5)
    for _ in range(50):
        old = [f"line {rng.randint(0, 4)}\n" for _ in range(rng.randint(0, 12))]
        new = [f"line {rng.randint(0, 4)}\n" for _ in range(rng.randint(0, 12))]
        diff = list(difflib.unified_diff(old, new))
        hunks: list[list[str]] = []
        for line in diff[2:]:
            if line.startswith("@@"):
                hunks.append([line])
            else:
                hunks[-1].append(line)
        assert patch("".join(old), hunks) == "".join(new)
