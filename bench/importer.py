"""Plan importer benchmark: accuracy against hand-checked expectations, and scaling.

Accuracy. For each labelled document the parser's result is compared with its
expected file (written by reading the document, not by running the parser): the four
documents the importer was built with (tests/data/plans, tests/data/expected_*.json) and
the newly labelled public documents (tests/data/more/expected_<id>.json, whose
"document" names a file of ../shared/plans/more/, copied in tests/data/plans/more/).
Tasks are matched by number (sub-tasks flattened: "1.1", "3.1.a"); units and due dates
are compared as sets per task. Prints P/R/F1 per field and document, the document's F1
(mean of its four fields) and the mean F1 over documents; then, for the documents of
shared/plans/more nobody labelled, how many tasks were found and how many characters
stayed unplaced.

Scaling. A real plan's task section (the seed's) repeated to 5k…40k lines, parsed once
each: seconds per size and the linearity ratio (time per line against the 5k run's;
1.0 is linear, a quadratic parser doubles it with every doubling).

    .venv/bin/python bench/importer.py [--runs N] [--no-scaling]
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

from documents.plan_import import parse_plan, parse_plan_bytes  # noqa: E402
from documents.reading import PlanImportError  # noqa: E402
from documents.units import fold  # noqa: E402

DATA = ROOT / "tests" / "data"
SHARED_MORE = ROOT.parent / "shared" / "plans" / "more"
DOCUMENTS = [
    ("seed", DATA / "plans" / "seed.txt", DATA / "expected_seed.json"),
    ("plan_02", DATA / "plans" / "plan_02.txt", DATA / "expected_plan_02.json"),
    ("plan_04", DATA / "plans" / "plan_04.txt", DATA / "expected_plan_04.json"),
    ("plan_06", DATA / "plans" / "plan_06.txt", DATA / "expected_plan_06.json"),
]
METRICS = ("tasks", "leads", "coordinating", "due dates")
SCALING_LINES = (5_000, 10_000, 20_000, 40_000)


def labelled_documents() -> list[tuple[str, Path, Path]]:
    """The seed and the three plans, then every tests/data/more/expected_<id>.json with
    its document (the copy in tests/data/plans/more, else the shared original)."""
    out = list(DOCUMENTS)
    for expected in sorted((DATA / "more").glob("expected_*.json")):
        document = json.loads(expected.read_text(encoding="utf-8"))["document"]
        copy = DATA / "plans" / "more" / document
        out.append(
            (
                document.split(".")[0][:8],
                copy if copy.exists() else SHARED_MORE / document,
                expected,
            )
        )
    return out


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

    def f1(self) -> float:
        p, r = self.precision(), self.recall()
        return 2 * p * r / (p + r) if p + r else 0.0

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


def parse_or_empty(data: bytes) -> dict[str, Any]:
    """A document with no task section is refused with a message: no tasks found."""
    try:
        return parse_plan_bytes(data)
    except PlanImportError:
        return {"plan": {}, "tasks": [], "unplaced": []}


def time_parse(data: bytes, runs: int) -> tuple[float, float, dict[str, Any]]:
    """Median wall-clock and CPU milliseconds (CPU time does not grow on a busy machine)."""
    wall, cpu = [], []
    result: dict[str, Any] = {}
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = parse_or_empty(data)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu), result


def accuracy(runs: int) -> float:
    header = f"{'document':<10} {'ms':>6} " + " ".join(f"{m + ' P/R/F1':>20}" for m in METRICS)
    header += f" {'F1':>6}"
    print(header)
    print("-" * len(header))
    totals = {m: Score() for m in METRICS}
    f1s: list[float] = []
    missing: list[str] = []
    for name, path, expected_path in labelled_documents():
        if not path.exists():
            missing.append(str(path))
            continue
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        ms, _cpu, result = time_parse(path.read_bytes(), runs)
        scores = score(expected, result)
        for m in METRICS:
            totals[m] += scores[m]
        doc_f1 = statistics.mean(scores[m].f1() for m in METRICS)
        f1s.append(doc_f1)
        cells = " ".join(
            f"{scores[m].precision():>6.0%}/{scores[m].recall():>4.0%}/{scores[m].f1():>5.1%}"
            for m in METRICS
        )
        print(f"{name:<10} {ms:>6.1f} {cells} {doc_f1:>6.1%}")
    print("-" * len(header))
    cells = " ".join(
        f"{totals[m].precision():>6.0%}/{totals[m].recall():>4.0%}/{totals[m].f1():>5.1%}"
        for m in METRICS
    )
    mean_f1 = statistics.mean(f1s) if f1s else 0.0
    print(f"{'micro':<10} {'':>6} {cells}")
    print(f"mean F1 over {len(f1s)} documents: {mean_f1:.1%}")
    counts = ", ".join(
        f"{m}: {totals[m].tp} right, {totals[m].fp} extra, {totals[m].fn} missed" for m in METRICS
    )
    print(f"({counts}; ms = median of {runs} parses, bytes → result)")
    if missing:
        print("MISSING documents (shared/ is expected beside the clone): " + ", ".join(missing))
    return mean_f1


def unlabelled() -> None:
    labelled = {path.name for _, path, _ in labelled_documents()}
    if not SHARED_MORE.exists():
        print(f"\n{SHARED_MORE} is missing: unlabelled documents not checked.")
        return
    print("\nunlabelled documents of shared/plans/more (tasks found, unplaced characters):")
    for path in sorted(SHARED_MORE.glob("*.md")):
        if path.name in labelled or path.name == "README.md":
            continue
        try:
            result = parse_plan_bytes(path.read_bytes())
        except PlanImportError as refused:
            print(f"  {path.stem}: no tasks — {refused.message[:70]}…")
            continue
        tasks = len(flatten(result["tasks"]))
        unplaced = sum(len(u) for u in result["unplaced"])
        print(f"  {path.stem}: {tasks} tasks, {unplaced} characters unplaced")


def synthetic_plan(lines: int) -> tuple[str, int]:
    """The seed's head, its task section repeated to `lines` lines, its tail; and how
    many tasks that holds."""
    seed = (DATA / "plans" / "seed.txt").read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(seed) if line.strip().startswith("II. NỘI DUNG"))
    end = next(i for i, line in enumerate(seed) if line.strip().startswith("III. TỔ CHỨC"))
    head, section, tail = seed[: start + 1], seed[start + 1 : end], seed[end:]
    body: list[str] = []
    copies = 0
    while len(head) + len(body) + len(section) + len(tail) <= lines:
        body.extend(section)
        copies += 1
    return "\n".join(head + body + tail), copies * 9


def wrapped_plan(lines: int) -> tuple[str, int]:
    """One task whose text runs on over `lines` wrapped lines (web-page text): the input
    that made the old parser quadratic (it re-joined the paragraph at every line)."""
    head = "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Tăng cường công tác tuyên truyền\n"
    body = "và tiếp tục triển khai các nội dung công việc được giao theo kế hoạch\n" * lines
    return head + body + "Đơn vị chủ trì: Sở Nội vụ.\n", 1


def long_pipe_line(lines: int) -> tuple[str, int]:
    """One task whose text is a single line of `lines` × 4 characters starting with "|"
    and not ending with one: quadratic for the old Markdown-row regex (^\\|.*\\|.*\\|$)."""
    head = "KẾ HOẠCH\nThử\n\nII. NHIỆM VỤ\n\n1. Tăng cường công tác tuyên truyền\n"
    return head + "| a " * lines + "x\nĐơn vị chủ trì: Sở Nội vụ.\n", 1


def scaling(sizes: tuple[int, ...] = SCALING_LINES) -> None:
    print("\nscaling (one parse each, CPU seconds; ratio: seconds per line against the")
    print("first size's, 1.0 is linear, a quadratic parser doubles it at every doubling)")
    print(f"{'input':<16} {'lines':>7} {'MB':>5} {'tasks':>6} {'seconds':>8} {'ratio':>6}")
    for label, make in (
        ("task section ×n", synthetic_plan),
        ("one long task", wrapped_plan),
        ("one '|' line ×4", long_pipe_line),
    ):
        base: float | None = None
        for lines in sizes:
            text, tasks = make(lines)
            start = time.process_time()
            result = parse_plan(text)
            seconds = time.process_time() - start
            found = len(result["tasks"])
            per_line = seconds / lines
            base = base or per_line
            ok = "" if found == tasks else f"  (found {found} tasks, expected {tasks})"
            size = len(text.encode()) / 1e6
            print(
                f"{label:<16} {lines:>7} {size:>5.1f} {found:>6} {seconds:>8.2f}"
                f" {per_line / base:>6.2f}{ok}"
            )
    text = synthetic_plan(10 * 1024 * 1024 // 45)[0]  # about 10 MB (45 bytes a line)
    start = time.process_time()
    parse_plan(text)
    size = len(text.encode()) / 1e6
    print(f"10 MB of plan text ({size:.1f} MB): {time.process_time() - start:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="parses per document (median)")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling table")
    args = parser.parse_args(argv)
    accuracy(args.runs)
    unlabelled()
    if not args.no_scaling:
        scaling()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
