"""Real servers for the tests: `pheduyet serve` (gunicorn) on a free loopback port, and a
plain HTTP client with cookies (one person in one browser), over real sockets."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

PHEDUYET = str(Path(sys.executable).with_name("pheduyet"))
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# The access log names the worker process (%(p)s) that answered each request.
ACCESS_FORMAT = "--access-logformat=pid=%(p)s|status=%(s)s|%(m)s|%(U)s"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment of a `pheduyet` process on the test's database and instance folder
    (no SECRET_KEY: the processes share the one generated into the instance folder)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_APP")}
    env.update(DATABASE_URL=database_url, PHEDUYET_INSTANCE=str(instance), **extra)
    return env


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> set[int]:
        """The arbiter's live child processes (Linux /proc)."""
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z" and int(fields[1]) == self.process.pid:
                found.add(int(stat.parent.name))
        return found

    def access_log(self) -> list[tuple[int, int, str, str]]:
        """(worker pid, status, method, url) of each request answered so far, in order."""
        text = self.log.read_text(errors="replace")
        return [
            (int(pid), int(status), method, url)
            for pid, status, method, url in re.findall(
                r"pid=<?(\d+)>?\|status=(\d+)\|(\w+)\|(\S+)", text
            )
        ]

    def pids_in_access_log(self, path_prefix: str = "/") -> set[int]:
        return {pid for pid, _, _, url in self.access_log() if url.startswith(path_prefix)}


@contextmanager
def serve(
    database_url: str, instance: Path, *, workers: int = 2, threads: int = 1
) -> Iterator[Server]:
    """`pheduyet serve` in its own process group, stopped (SIGTERM, then SIGKILL) after."""
    port = free_port()
    log = instance.parent / f"serve-{port}.log"
    env = command_env(database_url, instance, GUNICORN_CMD_ARGS=ACCESS_FORMAT)
    argv = [PHEDUYET, "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--workers", str(workers), "--threads", str(threads)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, port, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"pheduyet serve exited:\n{log.read_text()[-3000:]}")
            if len(server.worker_pids()) >= workers and Client(server.base).get("/login")[0] == 200:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"pheduyet serve did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


class Client:
    """One browser: cookies kept, redirects followed, errors returned as statuses."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        self.base = base
        self.timeout = timeout
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.token: str | None = None

    def request(
        self,
        method: str,
        path: str,
        data: dict | None = None,
        headers: dict | None = None,
        json_body: object = None,
    ) -> tuple[int, str, str]:
        """(status, body, final URL)."""
        body = None
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                status, text, url = response.status, response.read().decode(), response.url
        except urllib.error.HTTPError as error:
            status, text, url = error.code, error.read().decode(errors="replace"), error.url
        found = TOKEN.search(text)
        if found:
            self.token = found.group(1)
        return status, text, url

    def get(self, path: str, **kwargs) -> tuple[int, str, str]:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, data: dict) -> tuple[int, str, str]:
        if self.token is None:
            self.get("/login")
        return self.request("POST", path, data={"csrf_token": self.token, **data})

    def login(self, username: str, password: str) -> tuple[int, str, str]:
        self.get("/login")
        return self.post_form("/login", {"username": username, "password": password})
