"""Blueprints by audience: public, cadre (/me), leadership, admin, api; plus sign-in."""

from __future__ import annotations

from flask import Flask, abort, request

from . import (
    admin,
    api,
    auth,
    cadre,
    errors,
    leadership,
    public,
    results,  # noqa: F401  (its routes are on leadership.bp)
    survey,
)
from .access import areas, may_reach


def _refuse_nul_characters() -> None:
    """A NUL character is never part of a code or token in a URL, and PostgreSQL cannot
    store one: refuse it at the door (404 in the path, 400 in the query string) rather
    than fail deep inside. Form fields are checked where they are validated."""
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        abort(404)
    if any("\x00" in value for _key, value in request.args.items(multi=True)):
        abort(400)


def register_blueprints(app: Flask) -> None:
    app.before_request(_refuse_nul_characters)
    app.before_request(auth.require_password_change)
    app.jinja_env.globals["may_reach"] = may_reach
    app.jinja_env.globals["areas"] = areas
    app.register_blueprint(public.bp)
    app.register_blueprint(survey.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(cadre.bp, url_prefix="/me")
    app.register_blueprint(leadership.bp, url_prefix="/leadership")
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(api.bp, url_prefix="/api")
    errors.register(app)
