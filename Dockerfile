# The pheduyet app server image (Debian bookworm, Python 3.11). `compose.yaml` runs it
# behind nginx with PostgreSQL; see docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PHEDUYET_INSTANCE=/var/lib/pheduyet

# pg_dump / pg_restore for `pheduyet backup` and `pheduyet restore` (same major version as
# the database server in compose.yaml: 15).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/pheduyet
COPY pyproject.toml README.md ./
COPY models ./models
COPY workflow ./workflow
COPY documents ./documents
COPY webapp ./webapp
COPY migrations ./migrations
RUN pip install '.[postgres]'

RUN useradd --system --home-dir /var/lib/pheduyet --shell /usr/sbin/nologin pheduyet \
    && mkdir -p /var/lib/pheduyet /srv/pheduyet/uploads /srv/pheduyet/imports /srv/pheduyet/backups \
    && chown -R pheduyet /var/lib/pheduyet /srv/pheduyet
USER pheduyet

EXPOSE 8000
CMD ["sh", "-c", "exec pheduyet serve --host 0.0.0.0 --port 8000 --workers ${WORKERS:-2}"]
