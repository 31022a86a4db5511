"""The engine against the schema-containment oracle: no wrong answer, and accuracy floors."""

from __future__ import annotations

import json
import time

import pytest

from comparisons import is_subschema

from comparison_helpers import shared_dir

QUESTIONS = shared_dir() / "oracles" / "schema-containment" / "questions.jsonl"
CHUNKS = 8
CORE_FLOOR = 0.97
ALL_FLOOR = 0.90
TIME_LIMIT = 5.0

pytestmark = pytest.mark.skipif(not QUESTIONS.exists(), reason="oracle questions not available")


def load() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]


def answer(q: dict, shortcuts: bool = True) -> tuple[str, float, object]:
    t0 = time.perf_counter()
    res = is_subschema(q["a"], q["b"], shortcuts=shortcuts)
    return res.answer, time.perf_counter() - t0, res


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("shortcuts", [True, False], ids=["engine", "canonical-only"])
def test_no_wrong_answer_and_within_time(chunk: int, shortcuts: bool) -> None:
    questions = load()[chunk::CHUNKS]
    problems = []
    for q in questions:
        ans, dt, res = answer(q, shortcuts)
        if ans == "unknown":
            assert res.reason, f"{q['id']}: unknown without a reason"
        elif (ans == "yes") != q["a_subset_b"]:
            problems.append(f"{q['id']}: answered {ans}, truth {q['a_subset_b']}")
        if ans == "no":
            assert res.has_witness, q["id"]
        if dt > TIME_LIMIT:
            problems.append(f"{q['id']}: took {dt:.2f} s")
    assert not problems, "\n".join(problems[:20])


def test_accuracy_floors() -> None:
    questions = load()
    core = [q for q in questions if q["core"]]
    assert len(questions) == 5031 and len(core) == 3853

    def correct(q: dict) -> bool:
        ans, _dt, _res = answer(q)
        return ans != "unknown" and (ans == "yes") == q["a_subset_b"]

    core_ok = sum(correct(q) for q in core)
    all_ok = core_ok + sum(correct(q) for q in questions if not q["core"])
    assert core_ok / len(core) >= CORE_FLOOR, f"core: {core_ok}/{len(core)}"
    assert all_ok / len(questions) >= ALL_FLOOR, f"all: {all_ok}/{len(questions)}"
