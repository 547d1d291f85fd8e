"""Plan importer benchmark: speed and accuracy against hand-checked expectations.

For each document in tests/data/plans the parser's result is compared with
tests/data/expected_<name>.json (written by reading the document, not by running the
parser). Tasks are matched by number (sub-tasks flattened: "1.1", "3.1.a"); units and due
dates are compared as sets per task. Prints one row per document and micro-averaged
totals.

    .venv/bin/python bench/importer.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from documents.plan_parser import parse_plan_bytes  # noqa: E402
from documents.units import fold  # noqa: E402

DATA = ROOT / "tests" / "data"
DOCUMENTS = [
    ("seed", "seed.txt"),
    ("plan_02", "plan_02.txt"),
    ("plan_04", "plan_04.txt"),
    ("plan_06", "plan_06.txt"),
]
METRICS = ("tasks", "leads", "coordinating", "due dates")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, expected: set, got: set) -> None:
        self.tp += len(expected & got)
        self.fp += len(got - expected)
        self.fn += len(expected - got)

    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def __iadd__(self, other: Score) -> Score:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self


def flatten(tasks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Parser tasks by number, sub-tasks included."""
    out: dict[str, dict[str, Any]] = {}
    for task in tasks:
        out[task["number"]] = task
        out.update(flatten(task.get("subtasks", [])))
    return out


def unit_keys(units: list[Any]) -> set[str]:
    """Parser units are dicts (matched name wins); expected units are plain names."""
    keys = set()
    for unit in units:
        name = unit if isinstance(unit, str) else (unit["matched"] or unit["name"])
        keys.add(fold(name))
    return keys


def score(expected: dict[str, Any], result: dict[str, Any]) -> dict[str, Score]:
    want = {t["number"]: t for t in expected["tasks"]}
    got = flatten(result["tasks"])
    scores = {m: Score() for m in METRICS}
    scores["tasks"].add(set(want), set(got))
    for number in set(want) | set(got):
        w, g = want.get(number), got.get(number)
        scores["leads"].add(
            {(number, k) for k in unit_keys(w["lead_units"] if w else [])},
            {(number, k) for k in unit_keys(g["lead_units"] if g else [])},
        )
        scores["coordinating"].add(
            {(number, k) for k in unit_keys(w["coordinating_units"] if w else [])},
            {(number, k) for k in unit_keys(g["coordinating_units"] if g else [])},
        )
        w_due = w["due_date"] if w else None
        g_due = g["timing"]["due_date"] if g else None
        scores["due dates"].add(
            {(number, w_due)} if w_due else set(), {(number, g_due)} if g_due else set()
        )
    return scores


def time_parse(data: bytes, runs: int) -> tuple[float, float, dict[str, Any]]:
    """Median wall-clock and CPU milliseconds (CPU time does not grow on a busy machine)."""
    wall, cpu = [], []
    result: dict[str, Any] = {}
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = parse_plan_bytes(data)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="parses per document (median)")
    args = parser.parse_args(argv)

    header = f"{'document':<10} {'ms':>7} {'cpu ms':>7} " + " ".join(
        f"{m + ' P/R':>17}" for m in METRICS
    )
    print(header)
    print("-" * len(header))
    totals = {m: Score() for m in METRICS}
    total_ms = total_cpu = 0.0
    for name, filename in DOCUMENTS:
        data = (DATA / "plans" / filename).read_bytes()
        expected = json.loads((DATA / f"expected_{name}.json").read_text(encoding="utf-8"))
        ms, cpu, result = time_parse(data, args.runs)
        total_ms += ms
        total_cpu += cpu
        scores = score(expected, result)
        for m in METRICS:
            totals[m] += scores[m]
        cells = " ".join(
            f"{scores[m].precision():>8.1%}/{scores[m].recall():<8.1%}" for m in METRICS
        )
        print(f"{name:<10} {ms:>7.2f} {cpu:>7.2f} {cells}")
    print("-" * len(header))
    cells = " ".join(f"{totals[m].precision():>8.1%}/{totals[m].recall():<8.1%}" for m in METRICS)
    print(f"{'total':<10} {total_ms:>7.2f} {total_cpu:>7.2f} {cells}")
    counts = ", ".join(
        f"{m}: {totals[m].tp} right, {totals[m].fp} extra, {totals[m].fn} missed" for m in METRICS
    )
    print(f"({counts}; ms = median of {args.runs} parses, bytes → result)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
