"""Configuration read from the environment (names in DESIGN.md)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

SECRET_KEY_FILE = "secret_key"


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "appraisal.sqlite3")


def load_or_create_secret_key(instance_path: str) -> str:
    """Return the instance's secret key, creating it once, readable by the owner only.

    The key is written to a private temporary file and then hard-linked into place, so
    concurrent workers starting together agree on one key and never read a half-written file.
    """
    directory = Path(instance_path)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / SECRET_KEY_FILE
    if not path.exists():
        temporary = directory / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
            with contextlib.suppress(FileExistsError):  # another worker was first
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret key; delete it to make a new one")
    return key


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None


def settings_from_environment(
    instance_path: str, overrides: dict[str, object] | None = None
) -> dict[str, object]:
    """Flask settings from the APPRAISAL_* environment variables, then `overrides`."""
    env = os.environ
    overrides = overrides or {}
    if "SECRET_KEY" in overrides:
        secret_key = overrides["SECRET_KEY"]
    else:
        secret_key = env.get("APPRAISAL_SECRET_KEY") or load_or_create_secret_key(instance_path)
    public_url = str(
        overrides.get("PUBLIC_URL") or env.get("APPRAISAL_PUBLIC_URL") or "http://127.0.0.1:5000"
    ).rstrip("/")
    settings: dict[str, object] = {
        "SECRET_KEY": secret_key,
        "DATABASE_URL": env.get("APPRAISAL_DATABASE_URL") or default_database_url(instance_path),
        "PUBLIC_URL": public_url,
        "REDIS_URL": env.get("APPRAISAL_REDIS_URL") or None,
        # Bounded waits (seconds): for a lock (SQLite's busy timeout, PostgreSQL's
        # lock_timeout) and, on PostgreSQL, for one statement (0: no limit; the commands
        # of the CLI run without it). A request that runs out answers 503.
        "DATABASE_LOCK_TIMEOUT_SECONDS": _float(env, "APPRAISAL_DB_LOCK_TIMEOUT", 10.0),
        "DATABASE_STATEMENT_TIMEOUT_SECONDS": _float(env, "APPRAISAL_DB_STATEMENT_TIMEOUT", 30.0),
        # /healthz answers within about this many seconds (503 when the database does not
        # take its write in time).
        "HEALTH_TIMEOUT_SECONDS": _float(env, "APPRAISAL_HEALTH_TIMEOUT", 2.0),
        # On SQLite, /healthz answers 503 when its files can grow by less than this (MiB).
        "HEALTH_MIN_FREE_MB": _float(env, "APPRAISAL_HEALTH_MIN_FREE_MB", 16.0),
        # Retry-After of the 503 a request gets when the database cannot be reached.
        "RETRY_AFTER_SECONDS": _int(env, "APPRAISAL_RETRY_AFTER", 5),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": public_url.startswith("https://"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": public_url.startswith("https://"),
        # Sign-in throttling (services.sign_in): attempts per account and client, and per
        # client, within the window (sliding); past them, further attempts wait (429).
        "LOGIN_MAX_FAILURES": _int(env, "APPRAISAL_LOGIN_MAX_FAILURES", 5),
        "LOGIN_CLIENT_MAX_FAILURES": _int(env, "APPRAISAL_LOGIN_CLIENT_MAX_FAILURES", 30),
        "LOGIN_WINDOW_MINUTES": _float(env, "APPRAISAL_LOGIN_WINDOW_MINUTES", 15.0),
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "BABEL_DEFAULT_LOCALE": "zh",
        "LANGUAGES": ("zh", "en"),
        # The bureau's time zone: dates shown to people are days there.
        "TIMEZONE": env.get("APPRAISAL_TIMEZONE", "Asia/Shanghai"),
        # Proxies in front of the app whose X-Forwarded-For may be trusted (0: none).
        "TRUSTED_PROXIES": _int(env, "APPRAISAL_TRUSTED_PROXIES", 0),
        # Rate limits (Flask-Limiter notation). Generous per address: many residents share
        # one address behind a carrier's NAT; tighter per device and per link.
        "RATE_LIMIT_ADDRESS": env.get("APPRAISAL_RATE_LIMIT_ADDRESS", "600 per minute"),
        "RATE_LIMIT_DEVICE": env.get("APPRAISAL_RATE_LIMIT_DEVICE", "10 per minute;60 per hour"),
        "RATE_LIMIT_LINK": env.get("APPRAISAL_RATE_LIMIT_LINK", "120 per minute"),
        # Guessing links and invitation codes: unknown ones asked for, per client address.
        "RATE_LIMIT_GUESS": env.get("APPRAISAL_RATE_LIMIT_GUESS", "30 per minute;300 per day"),
        # When a response is flagged (never rejected) as possible ballot stuffing.
        "FLAG_DUPLICATE_HOURS": _float(env, "APPRAISAL_FLAG_DUPLICATE_HOURS", 24.0),
        "FLAG_NETWORK_MIN": _int(env, "APPRAISAL_FLAG_NETWORK_MIN", 5),
        "FLAG_BURST_MINUTES": _float(env, "APPRAISAL_FLAG_BURST_MINUTES", 10.0),
        "FLAG_BURST_MIN": _int(env, "APPRAISAL_FLAG_BURST_MIN", 20),
        "FLAG_BURST_FACTOR": _float(env, "APPRAISAL_FLAG_BURST_FACTOR", 5.0),
        "FLAG_SECONDS_PER_ANSWER": _float(env, "APPRAISAL_FLAG_SECONDS_PER_ANSWER", 1.0),
        "FLAG_IDENTICAL_MIN": _int(env, "APPRAISAL_FLAG_IDENTICAL_MIN", 6),
        # How long an opened form stays valid.
        "FORM_MAX_AGE_HOURS": _float(env, "APPRAISAL_FORM_MAX_AGE_HOURS", 12.0),
        # How long a signed-in session lasts at most (signing out ends it sooner).
        "SESSION_HOURS": _float(env, "APPRAISAL_SESSION_HOURS", 12.0),
        # How long a kiosk set-up lasts on its tablet.
        "KIOSK_MAX_AGE_DAYS": _float(env, "APPRAISAL_KIOSK_MAX_AGE_DAYS", 180.0),
        # A cadre sees the comments about them only when at least this many counted
        # responses stand behind them, so that no comment points at one respondent.
        "COMMENTS_MIN_RESPONSES": _int(env, "APPRAISAL_COMMENTS_MIN_RESPONSES", 5),
    }
    settings.update(overrides)
    settings["PUBLIC_URL"] = public_url
    # The public form carries its own signed, time-stamped token; a CSRF token must not
    # expire before it (Flask-WTF's default is one hour).
    settings.setdefault("WTF_CSRF_TIME_LIMIT", int(float(settings["FORM_MAX_AGE_HOURS"]) * 3600))
    return settings
