"""The WSGI entry point of production servers: `gunicorn webapp.wsgi:app` (what
`pheduyet serve` runs). Settings come from the environment, as for every command."""

from webapp import create_app

app = create_app()
