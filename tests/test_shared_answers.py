"""Answers about the whole project shared by a run's worker processes through a file."""

from __future__ import annotations

import multiprocessing

import pytest

import asynclint.index.shared as shared_module
from asynclint.index.shared import MISSING, SharedAnswers


def _answer_in_child(shared: SharedAnswers) -> None:
    shared.put("sites\0pkg.fetch", [[["x"], {}, "pkg.main", False]])
    shared.flush()


def test_an_answer_made_in_one_process_is_read_in_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shared = SharedAnswers.create()
    assert shared is not None
    assert shared.get("sites\0pkg.fetch") is MISSING
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_answer_in_child, args=(shared,))
    child.start()
    child.join()
    assert child.exitcode == 0
    assert shared.get("sites\0pkg.fetch") == [[["x"], {}, "pkg.main", False]]
    shared.remove()
    assert not shared.folder.exists()


def test_answers_are_written_in_batches_and_only_when_they_survive_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shared_module, "_BATCH", 2)
    writer, reader = SharedAnswers.create(), None
    assert writer is not None
    reader = SharedAnswers(writer.folder)
    writer.put("taken\0pkg.A", True)
    assert reader.get("taken\0pkg.A") is MISSING  # not written yet
    writer.put("method-kinds\0save", ["coroutine", None])
    assert reader.get("taken\0pkg.A") is True
    assert reader.get("method-kinds\0save") == ["coroutine", None]
    writer.put("sites\0pkg.f", [("a", "b")])  # a tuple would come back a list: not shared
    writer.put("referenced\0x", False)
    writer.flush()
    assert reader.get("sites\0pkg.f") is MISSING and reader.get("referenced\0x") is False
    writer.remove()


def test_a_file_that_cannot_be_used_only_costs_the_sharing(tmp_path) -> None:
    broken = SharedAnswers(tmp_path / "missing-folder")
    broken.put("taken\0x", True)
    broken.flush()
    assert broken.get("taken\0x") is MISSING
