"""Error pages: a clear page (or JSON under /api/) for every error, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from ..db import begin_write
from ..extensions import login_manager
from ..services.audit import record
from ..services.integrity import ResultTampered

log = logging.getLogger(__name__)

#: Endpoints whose POST is a resident's answers: the 503 page offers to send them again.
RESENDABLE = {"survey.survey"}

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


def _unusable_session() -> None:
    """End the failed request's transaction, and render as signed out: the page must not
    need the database (the signed-in user is loaded from it)."""
    db_session = g.get("db_session")
    if db_session is not None:
        try:
            db_session.rollback()
        except DBAPIError:
            db_session.invalidate()
    g._login_user = login_manager.anonymous_user()


def _database_unavailable(error: Exception) -> Response:
    """503 with Retry-After when the database cannot be reached, is busy past its bounded
    wait, or cannot write: the transaction was rolled back, so nothing half-written
    remains; a resident's answers come back in a form to send again (its ticket makes a
    second sending find the first, if the first did land)."""
    log.warning("database unavailable for %s %s: %s", request.method, request.path, error)
    _unusable_session()
    retry_after = str(current_app.config["RETRY_AFTER_SECONDS"])
    if request.path.startswith("/api/"):
        message = _l("The service is briefly unavailable. Nothing was lost; try again shortly.")
        response = make_response(jsonify(error=503, message=str(message)), 503)
    else:
        resend: list[tuple[str, str]] = []
        if request.method == "POST" and request.endpoint in RESENDABLE:
            try:
                resend = list(request.form.items(multi=True))
            except (OSError, ValueError, HTTPException):
                resend = []  # a body that cannot be read again: the page still says wait
        page = render_template("errors/unavailable.html", resend=resend)
        response = make_response(page, 503)
    response.headers["Retry-After"] = retry_after
    response.headers["Cache-Control"] = "no-store"
    return response


def _result_tampered(error: ResultTampered) -> Response:
    """Refuse to show a result that does not match its hashes, and put the refusal in
    the audit log (its own transaction: the request's reads are over)."""
    log.error("refused to serve a changed result: %s", error)
    db_session = g.get("db_session")
    if db_session is not None:
        try:
            db_session.rollback()
            begin_write(db_session)
            record(
                db_session,
                "integrity.result_refused",
                actor="system",
                object_type="scoring_run",
                object_id=error.run_id,
                details={"path": request.path[:200], "problems": error.problems},
            )
            db_session.commit()
        except (DBAPIError, PoolTimeout) as unavailable:  # refused all the same
            log.error("the refusal could not be audited: %s", unavailable)
            db_session.rollback()
    g._login_user = login_manager.anonymous_user()
    if request.path.startswith("/api/"):
        response = make_response(jsonify(error=503, message="results withheld"), 503)
    else:
        response = make_response(render_template("errors/tampered.html"), 503)
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(PoolTimeout, _database_unavailable)
    app.register_error_handler(ResultTampered, _result_tampered)

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
