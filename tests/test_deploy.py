"""The deployment files: compose.yaml (app, PostgreSQL, nginx) checked for what would make
`docker compose up` fail or the stack misbehave (docker itself is not on the test
machines), deploy/nginx.conf checked by nginx itself (`nginx -t`), and docs/deploy.md."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yaml"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
SOURCES = ("models", "workflow", "documents", "webapp")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text("utf-8"))


def settings_the_app_reads() -> set[str]:
    """Every environment variable the code reads (os.environ.get / os.environ[…] / getenv),
    and the ones the Dockerfile's command and gunicorn read."""
    pattern = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
    found = {"GUNICORN_CMD_ARGS", "WORKERS"}
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(pattern.findall(path.read_text("utf-8")))
    return found


def test_compose_has_the_app_postgresql_and_nginx_each_with_a_health_check(compose):
    services = compose["services"]
    assert {"app", "db", "nginx"} <= set(services)
    for name in ("app", "db", "nginx"):
        check = services[name].get("healthcheck", {}).get("test")
        assert check and check[0] in ("CMD", "CMD-SHELL"), name
    assert services["db"]["image"].startswith("postgres:")
    assert services["nginx"]["image"].startswith("nginx:")


def test_compose_builds_the_app_from_the_dockerfile_and_serves_it_with_gunicorn(compose):
    app = compose["services"]["app"]
    assert app["build"] in (".", {"context": "."})
    dockerfile = (ROOT / "Dockerfile").read_text("utf-8")
    assert re.search(r"^FROM python:3\.1\d-slim-bookworm$", dockerfile, re.M)  # Debian
    assert "pheduyet serve --host 0.0.0.0 --port 8000" in dockerfile
    assert "postgresql-client" in dockerfile  # pg_dump for `pheduyet backup`
    for copied in re.findall(r"^COPY (\S+) ", dockerfile, re.M):
        assert (ROOT / copied).exists(), copied
    # Debian bookworm's pg_dump is 15: it must not be older than the server
    assert compose["services"]["db"]["image"].split(":")[1].startswith("15")


def test_compose_starts_things_in_order_and_migrates_once(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["pheduyet", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["nginx"]["depends_on"]["app"]["condition"] == "service_healthy"


def test_compose_settings_are_ones_the_app_reads_and_shared_by_every_app_server(compose):
    app = compose["services"]["app"]
    env = app["environment"]
    assert set(env) <= settings_the_app_reads(), set(env) - settings_the_app_reads()
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@db:5432/" in env["DATABASE_URL"]
    # every app server signs sessions with the same key, given (never generated per server)
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    # uploads and import previews on volumes every app server mounts
    mounts = {m.split(":")[1]: m.split(":")[0] for m in app["volumes"]}
    for setting in ("PHEDUYET_UPLOAD_DIR", "PHEDUYET_IMPORT_DIR"):
        assert mounts[env[setting]] in compose["volumes"], setting
    assert compose["services"]["migrate"]["environment"] == env


def test_compose_volumes_and_ports(compose):
    services = compose["services"]
    named = set(compose["volumes"])
    for name, service in services.items():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (ROOT / source).exists(), (name, source)
            else:
                assert source in named, (name, source)
    assert any(m.endswith(":/var/lib/postgresql/data") for m in services["db"]["volumes"])
    # only nginx is published; the app and the database stay on the compose network
    assert [p.split(":")[-1] for p in services["nginx"]["ports"]] == ["80"]
    assert "ports" not in services["app"] and "ports" not in services["db"]
    nginx_mounts = dict(m.split(":")[:2] for m in services["nginx"]["volumes"])
    assert nginx_mounts["./deploy/nginx.conf"] == "/etc/nginx/conf.d/default.conf"


def test_nginx_sends_requests_to_the_port_the_app_listens_on(compose):
    conf = NGINX_CONF.read_text("utf-8")
    upstreams = re.findall(r"^\s*server\s+([\w.-]+):(\d+)", conf, re.M)
    assert ("app", "8000") in upstreams
    assert compose["services"]["app"]["expose"] == ["8000"]
    assert re.search(r"client_max_body_size\s+21m;", conf)  # above the app's own 20 MB
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "Host"):
        assert f"proxy_set_header {header}" in conf


def test_nginx_accepts_the_configuration(tmp_path):
    """nginx -t on deploy/nginx.conf inside a minimal main configuration (the compose
    service name `app` replaced by a loopback address: nginx resolves names at load)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is not installed: apt-get install nginx"
    site = tmp_path / "site.conf"
    site.write_text(NGINX_CONF.read_text("utf-8").replace("server app:", "server 127.0.0.1:"))
    temp = {n: tmp_path / n for n in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'error.log'};\n"
        "events {}\n"
        "http {\n"
        f"  access_log {tmp_path / 'access.log'};\n"
        f"  client_body_temp_path {temp['body']};\n"
        f"  proxy_temp_path {temp['proxy']};\n"
        f"  fastcgi_temp_path {temp['fastcgi']};\n"
        f"  uwsgi_temp_path {temp['uwsgi']};\n"
        f"  scgi_temp_path {temp['scgi']};\n"
        f"  include {site};\n"
        "}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_the_deployment_guide_covers_the_jobs_and_names_real_files():
    guide = (ROOT / "docs" / "deploy.md").read_text("utf-8")
    for command in ("remind", "send-mail", "audit-checkpoint", "backup"):
        assert re.search(rf"\$PD {command}\b", guide), command
    for name in ("deploy/nginx.conf", "compose.yaml", "Dockerfile", "webapp/storage.py"):
        assert name in guide and (ROOT / name).exists(), name
    for setting in ("SECRET_KEY", "DATABASE_URL", "PHEDUYET_UPLOAD_DIR", "PHEDUYET_IMPORT_DIR"):
        assert setting in guide
    assert "pg_basebackup" in guide and "-R" in guide  # the streaming replica
