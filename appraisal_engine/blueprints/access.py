"""Role checks, enforced on the server for every protected route."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from ..db import get_session
from ..models import Campaign
from ..queries.campaigns import campaign_by_code

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow signed-in users with one of `roles`; others get 403, anonymous users the
    sign-in page."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def home_endpoint(role: str) -> str:
    """Where a user of `role` lands after signing in."""
    return {"admin": "admin.index", "leader": "leadership.index", "cadre": "cadre.index"}[role]


def campaign_or_404(code: str) -> Campaign:
    """The campaign of a URL's code, or a 404 page."""
    campaign = get_session().scalar(campaign_by_code(code))
    if campaign is None:
        abort(404)
    return campaign
