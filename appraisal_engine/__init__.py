"""appraisal-engine: the Flask application."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db
from .config import settings_from_environment
from .extensions import init_extensions
from .request_guard import init_request_guard
from .security import init_security
from .templating import init_templating


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. Booting never touches the schema: `appraisal init-db` does that."""
    instance_path = os.environ.get("APPRAISAL_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    overrides = dict(test_config or {})
    app.config.from_mapping(settings_from_environment(app.instance_path, overrides))

    # First: its hook must run before CSRF protection reads the form.
    init_request_guard(app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    db.init_app(app)
    init_extensions(app)
    init_security(app)
    init_templating(app)

    from .blueprints import register_blueprints
    from .cli import register_commands

    register_blueprints(app)
    register_commands(app)
    return app
