"""Flask extensions: sign-in, translation, CSRF protection, rate limits."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request, session
from flask_babel import Babel, lazy_gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from .db import get_session
from .models import User
from .services.sessions import SIGN_IN_KEY, signed_in_user

LANGUAGE_COOKIE = "lang"

login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
#: Limits are set per route (the public form); counters live in Redis when
#: APPRAISAL_REDIS_URL is set, so they hold across gunicorn workers, else in memory.
limiter = Limiter(get_remote_address)


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The user of a session cookie ("<id>:<session version>", User.get_id, and the token
    of a SignIn): while active, while the version is current (a change of password ends
    the user's other sessions) and while the SignIn is neither ended nor expired."""
    number, _, version = user_id.partition(":")
    identity, session_version = _number(number), _number(version)
    if identity is None or session_version is None:
        return None
    query = signed_in_user(identity, session_version, session.get(SIGN_IN_KEY))
    return get_session().scalar(query) if query is not None else None


def select_locale() -> str:
    """?lang= (remembered in a cookie), then the cookie, then Accept-Language; Chinese
    by default."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        g.chosen_language = chosen
        return chosen
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in languages:
        return remembered
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _remember_language(response: Response) -> Response:
    chosen = g.get("chosen_language")
    if chosen:
        response.set_cookie(
            LANGUAGE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


#: Endpoints that take bodies larger than the default MAX_CONTENT_LENGTH (64 KiB), or more
#: form fields than Werkzeug's default 1,000: (bytes, fields).
UPLOAD_LIMITS = {
    "admin.questionnaire_import": (4 * 1024 * 1024, 1000),
    # A city's organisation: tens of thousands of rows.
    "admin.organisation_import": (16 * 1024 * 1024, 1000),
    # One short field per ticked target: room for tens of thousands of them.
    "admin.campaign_targets_save": (1024 * 1024, 100_000),
}


def _raise_upload_limit() -> None:
    """Runs before CSRF protection reads the form, so the larger limit applies to it."""
    limits = UPLOAD_LIMITS.get(request.endpoint or "")
    if limits:
        request.max_content_length, request.max_form_parts = limits


def _configure_limiter(app: Flask) -> None:
    config = app.config
    config.setdefault("RATELIMIT_STORAGE_URI", config.get("REDIS_URL") or "memory://")
    config.setdefault("RATELIMIT_KEY_PREFIX", "appraisal")
    # A Redis outage must not lock residents out: fall back to limits in memory.
    config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)


def init_extensions(app: Flask) -> None:
    app.before_request(_raise_upload_limit)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # Scripts calling the API get 401 (as JSON), not a redirect to a page for people.
    login_manager.blueprint_login_views = {"api": None}
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    _configure_limiter(app)
    app.after_request(_remember_language)
