"""Requests that are broken beneath the application get 400, not 500: a chunked body that does
not parse, a client gone before its body arrived, a Host header that is no host name.

The WSGI server hands such a request to the app anyway and fails only when the app reads
it, with exceptions of its own that Werkzeug does not know: gunicorn's sync worker raises
its http.errors (InvalidChunkSize, ChunkMissingTerminator, InvalidChunkExtension, and
InvalidHeader or LimitRequestHeaders for bad trailers; NoMoreData, an OSError, when the
client is gone), Werkzeug's development server OSError("Invalid chunk header"). A Host
whose labels IDNA cannot encode makes Werkzeug's URL binding fail, which leaves the error
page without url_for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from flask import Flask, request
from werkzeug.exceptions import BadHost, BadRequest, HTTPException

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

#: Set in the environ when the Host header was replaced because it cannot be bound.
BAD_HOST_KEY = "appraisal_engine.bad_host"
#: What stands in for such a Host while the 400 page is made (RFC 6761: never resolves).
PLACEHOLDER_HOST = "bad-host.invalid"


class GuardedInput:
    """The server's wsgi.input, whose read errors become BadRequest. After one, the rest
    of the body cannot be trusted: later reads (an error page reading the form again)
    get nothing."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._failed = False

    def _call(self, method: str, *args: Any) -> Any:
        if self._failed:
            return b"" if method != "readlines" else []
        try:
            return getattr(self._stream, method)(*args)
        except HTTPException:
            raise
        except Exception as error:
            self._failed = True
            logger.info("unreadable request body: %r", error)
            raise BadRequest("The request body could not be read.") from error

    def read(self, size: int | None = -1) -> bytes:
        return self._call("read", -1 if size is None else size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._call("readline", -1 if size is None else size)

    def readlines(self, hint: int = -1) -> list[bytes]:
        return self._call("readlines", hint)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line


def _bindable(host: str) -> bool:
    """Whether Werkzeug's URL map can bind to this Host (it IDNA-encodes it)."""
    try:
        host.lower().encode("idna")
    except UnicodeError:
        return False
    return True


class RequestGuard:
    """WSGI middleware: guards wsgi.input and sets aside a Host that cannot be bound."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        stream = environ.get("wsgi.input")
        if stream is not None and not isinstance(stream, GuardedInput):
            environ["wsgi.input"] = GuardedInput(stream)
        host = environ.get("HTTP_HOST")
        if host is not None and not _bindable(host):
            environ["HTTP_HOST"] = PLACEHOLDER_HOST
            environ[BAD_HOST_KEY] = True
        return self.app(environ, start_response)


def _refuse_bad_host() -> None:
    if request.environ.get(BAD_HOST_KEY):
        raise BadHost()


def init_request_guard(app: Flask) -> None:
    """Call before any other before_request hook is registered (CSRF protection reads the
    form in one) and before ProxyFix wraps the app (it may set the Host)."""
    app.wsgi_app = RequestGuard(app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(_refuse_bad_host)
