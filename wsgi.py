"""Entry point for production servers: `gunicorn wsgi:app`."""

from appraisal_engine import create_app

app = create_app()
