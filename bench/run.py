"""The whole benchmark in one run: engine, HTTP pages and API at two sizes, worker memory,
audit verification; one table with the big/small ratio per endpoint.

    .venv/bin/python bench/run.py                 # 1k and 100k deliverables (1M events)
    .venv/bin/python bench/run.py --quick         # small sizes, < 1 min; exit 1 on a bad ratio
    BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/run.py   # on PostgreSQL

Each size's database is made by `pheduyet db upgrade` + `pheduyet gen-load` (or reused with
--small-db/--big-db FILE). The production server (gunicorn, 2 workers) is started on a free
loopback port; a member, the Office reviewer, the Director and the auditor sign in and
every page and API call is requested with 4 threads, a bounded number of times. The figures
go to stdout and to bench/RESULTS.md (with --write); --json FILE keeps them for a later
before/after comparison (--baseline FILE).
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "bench-pass"
USERS = {
    "member": "khtc.chuyenvien",
    "reviewer": "vp.thamdinh",
    "director": "giamdoc",
    "auditor": "kiemtra",
}
CONCURRENCY = 4
SIZES = {
    "full": ({"plans": 3, "deliverables": 1_000, "events": 10_000},
             {"plans": 300, "deliverables": 100_000, "events": 1_000_000}),
    "quick": ({"plans": 3, "deliverables": 300, "events": 3_000},
              {"plans": 30, "deliverables": 3_000, "events": 30_000}),
}  # fmt: skip
# A ratio big/small above this fails `--quick` (a bad regression, not noise).
QUICK_FAIL_RATIO = 8.0
# Endpoints whose work is linear in the whole trail on purpose (never a regression).
GROWS_WITH_THE_TRAIL = frozenset({"audit CSV, whole trail [auditor]"})


def env_for(url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        # this checkout's code, even when the venv's editable install points elsewhere
        "PYTHONPATH": str(ROOT),
        "PHEDUYET_DEMO_PASSWORD": PASSWORD,
        "PHEDUYET_PASSWORD_HASH": "pbkdf2:sha256:1000",
        "PHEDUYET_INSTANCE": str(instance),
        "SECRET_KEY": "bench-secret-key-not-for-production",
    }


def pheduyet(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "pheduyet"), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"pheduyet {' '.join(args)}: {done.stderr.strip() or done.stdout}")
    return done.stdout


def reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_database(url: str, size: dict[str, int], env: dict[str, str]) -> float:
    if url.startswith("postgresql"):
        reset_postgres(url)
    start = time.perf_counter()
    pheduyet(env, "db", "upgrade")
    pheduyet(
        env,
        "gen-load",
        "--plans", str(size["plans"]),
        "--deliverables", str(size["deliverables"]),
        "--events", str(size["events"]),
    )  # fmt: skip
    return time.perf_counter() - start


def pick_ids(url: str) -> dict[str, object]:
    """Items to request: the member's unit's deliverables, a task, the newest plan…"""
    from sqlalchemy import create_engine, func, select

    from models import AuditEvent, Deliverable, Plan, Task, User

    engine = create_engine(url)
    with engine.connect() as conn:
        unit_id = conn.execute(
            select(User.unit_id).where(User.username == USERS["member"])
        ).scalar_one()
        drafts = (
            conn.execute(
                select(Deliverable.id)
                .where(
                    Deliverable.unit_id == unit_id,
                    Deliverable.state == "draft",
                    Deliverable.kind == "document",
                    Deliverable.body != "",
                )
                .order_by(Deliverable.id.desc())
                .limit(60)
            )
            .scalars()
            .all()
        )
        plan_id = conn.execute(select(func.max(Plan.id))).scalar_one()
        task_id = conn.execute(
            select(func.min(Task.id)).where(Task.plan_id == plan_id)
        ).scalar_one()
        deliverable = conn.execute(
            select(func.max(Deliverable.id)).where(Deliverable.unit_id == unit_id)
        ).scalar_one()
        events = conn.execute(select(func.max(AuditEvent.seq))).scalar_one()
        counts = {
            "deliverables": conn.execute(select(func.count()).select_from(Deliverable)).scalar(),
            "events": events,
        }
    engine.dispose()
    return {
        "drafts": list(drafts[10:]),
        "view_deliverable": drafts[0] if drafts else deliverable,
        "plan": plan_id,
        "task": task_id,
        "deep": events // 2,
        "counts": counts,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn, 2 workers, on a free loopback port."""

    def __init__(self, env: dict[str, str], worker_class: str = "sync") -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [
                str(BIN / "python"), "-m", "gunicorn",
                "--workers", "2",
                "--worker-class", worker_class,
                "--bind", f"127.0.0.1:{self.port}",
                "webapp:create_app()",
            ],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.log: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/login", timeout=5).read()
                if len(self.workers()) == 2:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not start:\n" + "".join(self.log[-20:]))

    def _drain(self) -> None:
        for line in self.proc.stderr:
            self.log.append(line)

    def workers(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            found = re.search(r"VmRSS:\s+(\d+) kB", status)
            if found:
                sizes.append(int(found.group(1)) / 1024)
        return sizes

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Client:
    """A signed-in browser (cookie + CSRF), and an API bearer token."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(base + "/login", timeout=30).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        if token is None:
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        form = urllib.parse.urlencode(
            {"csrf_token": token.group(1), "username": username, "password": PASSWORD}
        ).encode()
        self.opener.open(base + "/login", data=form, timeout=30).read()
        if not any(c.name == "session" for c in self.jar):
            raise SystemExit(f"could not sign in as {username}")
        request = urllib.request.Request(
            base + "/api/v1/auth/token",
            data=json.dumps({"username": username, "password": PASSWORD}).encode(),
            headers={"Content-Type": "application/json"},
        )
        self.token = json.loads(urllib.request.urlopen(request, timeout=30).read())["token"]

    def get(self, path: str, api: bool = False) -> tuple[int, int]:
        headers = {"Authorization": f"Bearer {self.token}"} if api else {}
        request = urllib.request.Request(self.base + path, headers=headers)
        opener = urllib.request.build_opener() if api else self.opener
        try:
            with opener.open(request, timeout=120) as response:
                size = 0
                while chunk := response.read(65536):
                    size += len(chunk)
                return response.status, size
        except urllib.error.HTTPError as error:
            error.read()
            return error.code, 0

    def post_api(self, path: str, body: dict) -> tuple[int, int]:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, len(response.read())
        except urllib.error.HTTPError as error:
            error.read()
            return error.code, 0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def endpoints(ids: dict) -> list[tuple[str, str, str, int]]:
    """(name, role, path, weight): weight 1 = the normal request count, less for the heavy."""
    d, t, p = ids["view_deliverable"], ids["task"], ids["plan"]
    return [
        ("home (Việc cần xử lý)", "member", "/", 1),
        ("home (Việc cần xử lý)", "reviewer", "/", 1),
        ("home (Việc cần xử lý)", "director", "/", 1),
        ("dashboard", "member", "/dashboard", 1),
        ("dashboard", "director", "/dashboard", 1),
        ("plan overview /plan", "member", "/plan", 1),
        ("plan list /plans", "member", "/plans", 1),
        ("a plan /plans/<id>", "member", f"/plans/{p}", 1),
        ("a plan's dashboard", "director", f"/plans/{p}/dashboard", 1),
        ("province dashboard", "director", "/plans/dashboard", 1),
        ("task page", "member", f"/tasks/{t}", 1),
        ("deliverable page", "member", f"/deliverables/{d}", 1),
        ("audit trail, first page", "auditor", "/audit", 1),
        ("audit trail, deep page", "auditor", f"/audit?before={ids['deep']}", 1),
        ("audit CSV of one item", "auditor", f"/audit.csv?item_type=deliverable&item_id={d}", 1),
        ("API tasks", "member", "/api/v1/tasks", 1),
        ("API deliverables", "member", "/api/v1/deliverables", 1),
        ("API a deliverable", "member", f"/api/v1/deliverables/{d}", 1),
        ("API audit", "auditor", "/api/v1/audit", 1),
        ("API plan dashboard", "director", f"/api/v1/plans/{p}/dashboard", 1),
    ]


def run_requests(calls, requests: int, budget: float) -> dict:
    """`requests` calls with 4 threads; stops early (≥ 4 samples) once `budget` s passed."""
    times: list[float] = []
    statuses: dict[int, int] = {}
    sizes: list[int] = []
    lock = threading.Lock()
    start = time.perf_counter()

    def one(n: int) -> None:
        if n >= CONCURRENCY and time.perf_counter() - start > budget:
            return
        t0 = time.perf_counter()
        try:
            status, size = calls(n)
        except http.client.HTTPException:  # the body was cut off (a worker timed out)
            status, size = 598, 0
        except OSError:
            status, size = 599, 0
        elapsed = time.perf_counter() - t0
        with lock:
            times.append(elapsed * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            sizes.append(size)

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, range(requests)))
    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    return {
        "n": len(times),
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "errors": len(times) - ok,
        "statuses": statuses,
        "bytes": max(sizes) if sizes else 0,
    }


def measure_size(
    url: str, env: dict[str, str], requests: int, budget: float, worker_class: str = "sync"
) -> dict:
    ids = pick_ids(url)
    server = Server(env, worker_class)
    try:
        rss_fresh = server.rss_mb()
        clients = {role: Client(server.base, name) for role, name in USERS.items()}
        results: dict[str, dict] = {}
        for name, role, path, _w in endpoints(ids):
            client = clients[role]
            api = path.startswith("/api/")
            client.get(path, api)  # warm up (compiled templates, statement caches)
            key = f"{name} [{role}]"
            results[key] = run_requests(
                lambda _n, c=client, p=path, a=api: c.get(p, a), requests, budget
            )
            print(f"  {key:<48} p95 {results[key]['p95']:>9.1f} ms  n={results[key]['n']}"
                  f"  errors={results[key]['errors']}", flush=True)  # fmt: skip
        # The whole trail as CSV: a few downloads, each must arrive whole.
        auditor = clients["auditor"]
        results["audit CSV, whole trail [auditor]"] = csv_whole = run_requests(
            lambda _n: auditor.get("/audit.csv"), 2, budget
        )
        print(f"  audit CSV, whole trail: p95 {csv_whole['p95']:.0f} ms, {csv_whole['bytes']:,} "
              f"bytes, errors={csv_whole['errors']}", flush=True)  # fmt: skip
        # Transitions over HTTP (API): submit and withdraw the member's drafts.
        member = clients["member"]
        drafts = ids["drafts"]
        steps = [(d, a) for d in drafts for a in ("submit", "withdraw")]

        def transition(n: int) -> tuple[int, int]:
            d, action = steps[n % len(steps)]
            return member.post_api(f"/api/v1/deliverables/{d}/actions/{action}", {})

        # One thread per deliverable pair keeps each item's submit before its withdraw.
        results["transition (API submit/withdraw) [member]"] = tr = run_transitions(
            transition, len(steps)
        )
        print(f"  transitions p95 {tr['p95']:.1f} ms errors={tr['errors']}", flush=True)
        rss_after = server.rss_mb()
    finally:
        server.stop()
    start = time.perf_counter()
    pheduyet(env, "verify-audit")
    verify_seconds = time.perf_counter() - start
    return {
        "ids": {k: v for k, v in ids.items() if k != "drafts"},
        "results": results,
        "rss_fresh": rss_fresh,
        "rss_after": rss_after,
        "verify_events_per_s": ids["counts"]["events"] / verify_seconds,
    }


def run_transitions(call, total: int) -> dict:
    """Each worker thread takes whole (submit, withdraw) pairs, so order holds per item."""
    times: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def pair(k: int) -> None:
        for n in (2 * k, 2 * k + 1):
            t0 = time.perf_counter()
            try:
                status, _ = call(n)
            except (OSError, http.client.HTTPException):
                status = 599
            with lock:
                times.append((time.perf_counter() - t0) * 1000)
                statuses[status] = statuses.get(status, 0) + 1

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(pair, range(total // 2)))
    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    return {
        "n": len(times),
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "p99": percentile(times, 99),
        "errors": len(times) - ok,
        "statuses": statuses,
        "bytes": 0,
    }


def engine_ratio(seconds: float) -> tuple[float, float]:
    sys.path.insert(0, str(ROOT / "bench"))
    import engine as engine_bench  # bench/engine.py

    with tempfile.TemporaryDirectory() as tmp:
        rate, raw = engine_bench.measure("FULL", seconds, Path(tmp))
    return rate, raw


def fmt(value: float) -> str:
    if value != value:  # nan
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table(small: dict, big: dict, baseline: dict | None) -> tuple[list[str], list[str]]:
    """Rows of the report, and the endpoints whose ratio regressed badly."""
    head = (
        "| endpoint [role] | small p50 / p95 / p99 ms | big p50 / p95 / p99 ms "
        "| ratio p95 big/small | errors (small, big) |"
        + (" big p95 before (ms) |" if baseline else "")
    )
    lines = [head, "|" + "---|" * (5 + (1 if baseline else 0))]
    bad = []
    for key, s in small["results"].items():
        b = big["results"].get(key)
        if b is None:
            continue
        ratio = b["p95"] / s["p95"] if s["p95"] and s["p95"] == s["p95"] else float("nan")
        median_ratio = b["p50"] / s["p50"] if s["p50"] and s["p50"] == s["p50"] else float("nan")
        # A bad regression is slower at the median too (one slow request on a busy machine
        # is not); the whole trail's export grows with the trail by design.
        if (
            key not in GROWS_WITH_THE_TRAIL
            and ratio == ratio
            and ratio > QUICK_FAIL_RATIO
            and median_ratio > QUICK_FAIL_RATIO
            and s["errors"] == 0
        ):
            bad.append(f"{key}: {ratio:.1f}× (median {median_ratio:.1f}×)")
        row = (
            f"| {key} | {fmt(s['p50'])} / {fmt(s['p95'])} / {fmt(s['p99'])} "
            f"| {fmt(b['p50'])} / {fmt(b['p95'])} / {fmt(b['p99'])} | {ratio:.2f} "
            f"| {s['errors']}, {b['errors']} |"
        )
        if baseline:
            before = baseline["big"]["results"].get(key)
            if before is None or before["errors"] == before["n"]:
                row += " n/a |"
            else:
                errors = f" ({before['errors']} errors)" if before["errors"] else ""
                row += f" {fmt(before['p95'])}{errors} |"
        lines.append(row)
    return lines, bad


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (
        f"{platform.node()}, {os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load average {load[0]:.2f} at start"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--small-db", help="reuse this SQLite file for the small size")
    parser.add_argument("--big-db", help="reuse this SQLite file for the big size")
    parser.add_argument("--requests", type=int, help="requests per endpoint")
    parser.add_argument("--budget", type=float, default=45.0, help="seconds per endpoint")
    parser.add_argument("--engine-seconds", type=float, default=3.0)
    parser.add_argument(
        "--worker-class",
        default="sync",
        help="gunicorn worker class (gthread keeps a long CSV download alive)",
    )
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--baseline", help="a --json file of an earlier run (before/after)")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args()
    sizes = SIZES["quick" if args.quick else "full"]
    requests = args.requests or (20 if args.quick else 40)
    started = datetime.now(UTC)
    print(f"pheduyet bench — {machine()}")

    rate, raw = engine_ratio(1.0 if args.quick else args.engine_seconds)
    print(f"engine: {rate:,.0f} transitions/s, raw SQL {raw:,.0f}/s, ratio {rate / raw:.2f}")

    figures: dict[str, object] = {
        "engine": {"perform_per_s": rate, "raw_per_s": raw, "ratio": rate / raw},
        "started": started.isoformat(),
        "machine": machine(),
    }
    pg = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="pheduyet-bench-") as tmp:
        for label, size, reuse in (
            ("small", sizes[0], args.small_db),
            ("big", sizes[1], args.big_db),
        ):
            instance = Path(tmp) / label
            url = (
                pg or f"sqlite:///{Path(reuse).resolve() if reuse else Path(tmp) / (label + '.db')}"
            )
            env = env_for(url, instance)
            made = None
            if not reuse:
                made = make_database(url, size, env)
                print(f"{label}: gen-load {size} in {made:.0f} s", flush=True)
            print(f"{label}: measuring ({url.split('@')[-1]})", flush=True)
            figures[label] = measure_size(url, env, requests, args.budget, args.worker_class)
            figures[label]["gen_load_seconds"] = made
            figures[label]["size"] = figures[label]["ids"]["counts"]
    baseline = json.loads(Path(args.baseline).read_text()) if args.baseline else None
    lines, bad = table(figures["small"], figures["big"], baseline)
    summary = [
        f"engine: {rate:,.0f} perform/s vs raw SQL {raw:,.0f}/s: ratio {rate / raw:.2f} "
        "(target ≥ 0.25)",
    ]
    for label in ("small", "big"):
        f = figures[label]
        summary.append(
            f"{label} ({f['size']['deliverables']:,} deliverables, {f['size']['events']:,} "
            f"events): worker RSS fresh {', '.join(f'{x:.0f}' for x in f['rss_fresh'])} MB, "
            f"after {', '.join(f'{x:.0f}' for x in f['rss_after'])} MB; verify-audit "
            f"{f['verify_events_per_s']:,.0f} events/s"
        )
    print()
    print("\n".join(lines))
    print()
    print("\n".join(summary))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1, default=str))
    if args.write:
        write_results(figures, lines, summary, pg is not None)
    if args.quick and bad:
        print(f"Regressed badly (big/small p95 > {QUICK_FAIL_RATIO:.0f}×): " + "; ".join(bad))
        return 1
    return 0


def write_results(figures: dict, lines: list[str], summary: list[str], postgres: bool) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = [
        "# Benchmark results (`make bench`)",
        "",
        f"Machine: {figures['machine']}.  ",
        f"Date: {figures['started'][:16].replace('T', ' ')} UTC. Database: "
        f"{'PostgreSQL' if postgres else 'SQLite (WAL, synchronous=FULL)'}; gunicorn, 2 workers,"
        f" 4 client threads.",
        "",
        *[f"- {s}" for s in summary],
        "",
        *lines,
        "",
    ]
    marker = "<!-- bench/run.py writes above this line -->"
    old = path.read_text() if path.exists() else ""
    rest = old.split(marker, 1)[1] if marker in old else "\n"
    path.write_text("\n".join(text) + marker + rest)


if __name__ == "__main__":
    sys.exit(main())
