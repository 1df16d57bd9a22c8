"""The public form at /s/<token>, the receipt at /r/<code>, and kiosk set-up.

No JavaScript is needed. The form carries a signed token holding its link and a
single-use nonce; the signature's time stamp tells how long the form was open.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError

from forms.builder import answers_from_form

from ..db import get_database, get_session
from ..extensions import csrf, limiter
from ..services.submissions import (
    FlagRules,
    LinkContext,
    LinkUnavailable,
    PublishedForm,
    Submission,
    cadres_at,
    check_available,
    device_hash,
    link_context,
    published_form,
    receipt_for_nonce,
    receipt_view,
    record_response,
)
from ..templating import current_language
from .access import role_required

bp = Blueprint("survey", __name__)

DEVICE_COOKIE = "appraisal_device"
KIOSK_COOKIE = "appraisal_kiosk"
KIOSK_RESET_SECONDS = 5
TOKEN_SALT = "appraisal-survey-form"

UNAVAILABLE = {
    "unknown": _l("This link is not known. Please check the address or scan the code again."),
    "not_started": _l("This appraisal has not started yet. Please come back when it opens."),
    "ended": _l("This appraisal has ended. Thank you for your interest."),
    "used": _l("This invitation code has already been used. Each code can be used once."),
}

NOTICES = {
    "expired": _l(
        "This form was open for a long time. Please check your answers and submit again."
    ),
    "csrf": _l(
        "Your answers could not be sent (the page expired, or cookies are off). "
        "Please check them and submit again."
    ),
    "invalid": _l("Some answers need your attention; see the messages beside the questions."),
}

STATUS_TEXT = {
    "counted": _l("Your response has been received and is counted."),
    "flagged": _l("Your response has been received and is waiting for a routine check."),
    "excluded": _l("Your response was reviewed and is not counted in the results."),
}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def _new_form_token(link_id: int) -> str:
    return _serializer().dumps([link_id, secrets.token_urlsafe(16)])


def _device_cookie() -> str:
    if "device_cookie" not in g:
        g.device_cookie = request.cookies.get(DEVICE_COOKIE) or secrets.token_urlsafe(16)
    return g.device_cookie


def _set_device_cookie(response: Response) -> Response:
    if request.cookies.get(DEVICE_COOKIE) != _device_cookie():
        response.set_cookie(
            DEVICE_COOKIE,
            _device_cookie(),
            max_age=400 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def _client_key() -> str:
    """The rate-limit key of one device: its salted hash, never the raw address."""
    return "device:" + device_hash(
        current_app.config["SECRET_KEY"],
        request.remote_addr or "",
        request.user_agent.string,
        request.cookies.get(DEVICE_COOKIE, ""),
    )


def _trusted_kiosk(context: LinkContext) -> bool:
    value = request.cookies.get(KIOSK_COOKIE)
    if not value:
        return False
    try:
        campaign_id = _serializer().loads(value, salt="appraisal-kiosk")
    except BadSignature:
        return False
    return campaign_id == context.campaign_id


def _unavailable(error: LinkUnavailable) -> tuple[str, int]:
    return (
        render_template(
            "survey/unavailable.html", message=UNAVAILABLE[error.reason], code=error.status
        ),
        error.status,
    )


def _render_form(
    context: LinkContext,
    form: PublishedForm,
    wtform: Any,
    *,
    kiosk: bool,
    served_by: str = "",
    served_by_error: str = "",
    notice: str = "",
    status: int = 200,
):
    language = current_language()
    cadres = cadres_at(get_session(), context.service_point_id) if context.service_point_id else []
    page = render_template(
        "survey/form.html",
        context=context,
        questionnaire=form.questionnaire,
        form=wtform,
        language=language,
        conditions=form.condition_texts(language),
        form_token=_new_form_token(context.link_id),
        cadres=cadres,
        served_by=served_by,
        served_by_error=served_by_error,
        notice=notice,
        kiosk=kiosk,
    )
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"
    return _set_device_cookie(response)


def _context_and_form(token: str) -> tuple[LinkContext, PublishedForm]:
    session = get_session()
    context = check_available(link_context(session, token))
    assert context.version_id is not None
    return context, published_form(get_database(), session, context.version_id)


def _submit_limits() -> list[Any]:
    config = lambda name: lambda: current_app.config[name]  # noqa: E731
    return [
        limiter.limit(config("RATE_LIMIT_ADDRESS"), methods=["POST"], scope="survey-address"),
        limiter.limit(
            config("RATE_LIMIT_DEVICE"),
            key_func=_client_key,
            methods=["POST"],
            scope="survey-device",
        ),
        limiter.limit(
            config("RATE_LIMIT_LINK"),
            key_func=lambda: "link:" + (request.view_args or {}).get("token", ""),
            methods=["POST"],
            scope="survey-link",
        ),
    ]


def _with_limits(view: Any) -> Any:
    for limit in _submit_limits():
        view = limit(view)
    return view


@bp.route("/s/<token>", methods=["GET", "POST"])
@csrf.exempt
@_with_limits
def survey(token: str):
    if len(token) > 40:
        abort(404)
    kiosk = request.args.get("kiosk") == "1"
    if request.method == "POST":
        return _submit(token, kiosk)
    try:
        context, form = _context_and_form(token)
    except LinkUnavailable as error:
        return _unavailable(error)
    return _render_form(context, form, form.form_class(current_language())(), kiosk=kiosk)


def _submit(token: str, kiosk: bool):
    try:
        (link_id, nonce), issued = _serializer().loads(
            request.form.get("form_token", ""),
            max_age=current_app.config["FORM_MAX_AGE_HOURS"] * 3600,
            return_timestamp=True,
        )
        expired = False
    except SignatureExpired as error:
        link_id, nonce = _serializer().load_payload(error.payload)
        issued, expired = None, True
    except (BadSignature, ValueError, TypeError):
        abort(400)
    session = get_session()
    try:
        context, form = _context_and_form(token)
    except LinkUnavailable as error:
        return _already_recorded(nonce, token, kiosk) or _unavailable(error)
    if link_id != context.link_id:
        abort(400)
    language = current_language()
    wtform = form.form_class(language)(request.form)
    served_by = request.form.get("served_by", "")
    if expired:
        earlier = _already_recorded(nonce, token, kiosk)
        return earlier or _render_again(context, form, wtform, kiosk, served_by, notice="expired")
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return _render_again(context, form, wtform, kiosk, served_by, notice="csrf")
    valid = wtform.validate()
    cadre_id, served_by_error = _served_by(context, served_by)
    if not valid or served_by_error:
        return _render_again(
            context, form, wtform, kiosk, served_by, notice="invalid", error=served_by_error
        )
    trusted_kiosk = kiosk and _trusted_kiosk(context)
    submission = Submission(
        answers=answers_from_form(wtform, form.questionnaire),
        nonce=nonce,
        channel=_channel(context, trusted_kiosk),
        language=language,
        device_hash=device_hash(
            current_app.config["SECRET_KEY"],
            request.remote_addr or "",
            request.user_agent.string,
            _device_cookie(),
        ),
        trusted_kiosk=trusted_kiosk,
        served_by_cadre_id=cadre_id,
        duration_ms=max(0, int((datetime.now(UTC) - issued).total_seconds() * 1000)),
    )
    try:
        receipt = record_response(
            session, context, form, submission, FlagRules.from_config(current_app.config)
        )
    except LinkUnavailable as error:
        return _already_recorded(nonce, token, kiosk) or _unavailable(error)
    return _set_device_cookie(_to_receipt(receipt.code, token, kiosk))


def _already_recorded(nonce: str, token: str, kiosk: bool):
    """The receipt of the response this form already recorded (a resubmit), or None."""
    earlier = receipt_for_nonce(get_session(), nonce)
    return _to_receipt(earlier.code, token, kiosk) if earlier is not None else None


def _render_again(
    context: LinkContext,
    form: PublishedForm,
    wtform: Any,
    kiosk: bool,
    served_by: str,
    *,
    notice: str,
    error: str = "",
):
    """The form again with what was answered, a notice on top, status 400."""
    return _render_form(
        context,
        form,
        wtform,
        kiosk=kiosk,
        served_by=served_by,
        served_by_error=error,
        notice=str(NOTICES[notice]),
        status=400,
    )


def _channel(context: LinkContext, trusted_kiosk: bool) -> str:
    if context.kind == "invitation":
        return "invitation"
    return "kiosk" if trusted_kiosk else "web"


def _served_by(context: LinkContext, value: str) -> tuple[int | None, str]:
    if not value or context.service_point_id is None:
        return None, ""
    allowed = {choice.value for choice in cadres_at(get_session(), context.service_point_id)}
    if value not in allowed:
        return None, _("Please choose a name from the list, or leave it empty.")
    return int(value), ""


def _to_receipt(code: str, token: str, kiosk: bool):
    arguments = {"code": code, "new": 1}
    if kiosk:
        arguments["kiosk"] = token
    return redirect(url_for("survey.receipt", **arguments), code=303)


@bp.get("/r/<code>")
@limiter.limit(lambda: current_app.config["RATE_LIMIT_ADDRESS"], scope="receipt")
def receipt(code: str):
    view = receipt_view(get_session(), code.strip().upper()[:16])
    if view is None:
        return _unavailable_receipt()
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    kiosk_token = request.args.get("kiosk", "")
    page = render_template(
        "survey/receipt.html",
        receipt=view,
        status_text=STATUS_TEXT[view.status],
        submitted_on=view.submitted_at.astimezone(zone).date().isoformat(),
        new=request.args.get("new") == "1",
        kiosk_url=url_for("survey.survey", token=kiosk_token, kiosk=1) if kiosk_token else "",
        reset_seconds=KIOSK_RESET_SECONDS,
    )
    response = current_app.make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def _unavailable_receipt():
    message = _l("No response has this receipt code. Please check the code.")
    return render_template("survey/unavailable.html", message=message, code=404), 404


@bp.post("/s/<token>/kiosk")
@role_required("admin")
def set_up_kiosk(token: str):
    """Mark this device (a tablet at the window) as the campaign's kiosk: its responses
    are not flagged as duplicates of each other. Signed in as an administrator."""
    context = link_context(get_session(), token)
    if context is None or context.kind != "open":
        abort(404)
    response = redirect(url_for("survey.survey", token=token, kiosk=1))
    response.set_cookie(
        KIOSK_COOKIE,
        _serializer().dumps(context.campaign_id, salt="appraisal-kiosk"),
        max_age=400 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
