"""Blueprints by audience: public, cadre (/me), leadership, admin, api; plus sign-in."""

from __future__ import annotations

from flask import Flask

from . import admin, api, auth, cadre, errors, leadership, public, survey


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(public.bp)
    app.register_blueprint(survey.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(cadre.bp, url_prefix="/me")
    app.register_blueprint(leadership.bp, url_prefix="/leadership")
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(api.bp, url_prefix="/api")
    errors.register(app)
