"""Error pages: a clear page (or JSON under /api/) for every error, never a stack trace."""

from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    401: _l("Please sign in first."),
    403: _l("You are not allowed to see this page."),
    404: _l("This page does not exist. Please check the address."),
    405: _l("This page cannot be used in that way."),
    410: _l("This link is no longer valid."),
    413: _l("What was sent is too large."),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Your data was not changed; please try again."),
}


def _render(code: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify(error=code, message=str(message)), code
    return render_template("errors/error.html", code=code, message=message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError):
        return _render(400, _l("This form has expired. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = error.code or 500
        return _render(code, MESSAGES.get(code, error.description or ""))

    @app.errorhandler(InternalServerError)
    def _internal(_error: InternalServerError):
        # The failed request's transaction is unusable: end it before the page renders
        # (the page itself may load the signed-in user).
        db_session = g.get("db_session")
        if db_session is not None:
            db_session.rollback()
        return _render(500, MESSAGES[500])
