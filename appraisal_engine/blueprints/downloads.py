"""Sending a document as a download, recorded in the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Response
from flask_login import current_user

from ..db import begin_write, get_session
from ..services.audit import record


def audited_download(
    body: bytes | str | Iterable[bytes],
    mimetype: str,
    filename: str,
    *,
    object_type: str,
    object_id: Any,
    **details: Any,
) -> Response:
    """Record the download (in a write of its own, after the document was made, so the
    write lock is held only briefly), then send the document as an attachment."""
    session = get_session()
    begin_write(session)
    record(
        session,
        "download",
        user=current_user,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
    session.commit()
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
