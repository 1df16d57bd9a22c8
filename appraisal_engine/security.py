"""Security headers on every response, set in this one place.

- A strict Content-Security-Policy: everything from this site only, no plug-ins, no inline
  style, and no inline script except one carrying this request's nonce (the public form's
  script that hides questions whose condition does not hold; templates write
  `nonce="{{ csp_nonce() }}"`). Pages that ask for no nonce get none in the policy.
- No page may be framed (`frame-ancestors 'none'`, `X-Frame-Options: DENY`), except the
  questionnaire preview, which the administration's own preview page frames.
- `X-Content-Type-Options: nosniff`; `Referrer-Policy: same-origin`, so the token of a
  public link never goes to another site in a Referer; a Permissions-Policy that turns
  off the device features no page uses (camera, microphone, geolocation …).
- `Cache-Control: no-store` on every response to a signed-in visitor (whether signed in
  when the request came or when it left) and on every download (a response sent as an
  attachment), so no browser or proxy keeps a copy. Static files keep Flask's caching,
  and public pages keep their own (the public form already sends no-store).
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request
from flask_login import current_user

#: Endpoints whose pages this site may frame (the preview page shows them in an iframe).
FRAMEABLE_BY_SELF = frozenset({"admin.questionnaire_preview_frame"})

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def csp_nonce() -> str:
    """This request's script nonce, made when a template first asks for it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str | None, frameable_by_self: bool = False) -> str:
    policy = dict(POLICY)
    if nonce is not None:
        policy["script-src"] += f" 'nonce-{nonce}'"
    if frameable_by_self:
        policy["frame-ancestors"] = "'self'"
    return "; ".join(f"{directive} {value}" for directive, value in policy.items())


def _note_signed_in() -> None:
    """Remember whether the visitor came signed in: signing out during the request (the
    sign-out itself, a kiosk set-up) must not lift the response's no-store."""
    if request.endpoint != "static":
        g.came_signed_in = current_user.is_authenticated


def _set_headers(response: Response) -> Response:
    frameable = request.endpoint in FRAMEABLE_BY_SELF
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(
        g.get("csp_nonce"), frameable_by_self=frameable
    )
    headers["X-Frame-Options"] = "SAMEORIGIN" if frameable else "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    download = headers.get("Content-Disposition", "").startswith("attachment")
    signed_in = request.endpoint != "static" and (
        g.get("came_signed_in") or current_user.is_authenticated
    )
    if (download or signed_in) and not response.cache_control.no_store:
        headers["Cache-Control"] = "no-store"
    return response


def init_security(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(_note_signed_in)
    app.after_request(_set_headers)
