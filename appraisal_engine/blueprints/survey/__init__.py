"""The public form at /s/<token>, the receipt at /r/<code>, and kiosk set-up.

No JavaScript is needed. The form carries a signed ticket: its link, a single-use nonce
and when the form was first opened. The same ticket comes back on every showing of the
form on that device (a form returned with messages, "back" after submitting, a reload),
kept in a cookie scoped to the link: a resubmit finds the response its nonce recorded
and shows that receipt, and the time taken counts from the first opening.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
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
    session,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature
from wtforms import ValidationError

from forms.builder import answers_from_form

from ...db import begin_write, get_database, get_session
from ...extensions import csrf, limiter
from ...models import MAX_ID
from ...services.codes import typed_invitation_code
from ...services.flags import FlagRules, device_hash, keyed_hash, network_hash
from ...services.kiosks import set_up_kiosk as set_up_kiosk_record
from ...services.kiosks import trusted_kiosk_id
from ...services.public_links import (
    LinkContext,
    LinkUnavailable,
    PublishedForm,
    cadres_at,
    check_available,
    link_context,
    published_form,
)
from ...services.sessions import SIGN_IN_KEY, end_sign_in
from ...services.submissions import (
    Receipt,
    Submission,
    receipt_for_nonce,
    receipt_view,
    record_response,
)
from ...templating import current_language
from ..access import role_required
from .ticket import FORM_COOKIE, Ticket, TicketExpired, pending_ticket, read_ticket, serializer

bp = Blueprint("survey", __name__)

DEVICE_COOKIE = "appraisal_device"
KIOSK_COOKIE = "appraisal_kiosk"
KIOSK_RESET_SECONDS = 5
#: Salt of the kiosk cookie, which names a row of `kiosks` (revision 0007).
KIOSK_SALT = "appraisal-kiosk-id"

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
    "served_by": _l("Please choose a name from the list, or leave it empty."),
}

STATUS_TEXT = {
    "counted": _l("Your response has been received and is counted."),
    "flagged": _l("Your response has been received and is waiting for a routine check."),
    "excluded": _l("Your response was reviewed and is not counted in the results."),
}


# --- Devices and kiosks ---------------------------------------------------------------------


def _device_cookie() -> str:
    if "device_cookie" not in g:
        g.device_cookie = request.cookies.get(DEVICE_COOKIE) or secrets.token_urlsafe(16)
    return g.device_cookie


def _cookie(response: Response, name: str, value: str, max_age: float, path: str = "/") -> None:
    response.set_cookie(
        name,
        value,
        max_age=int(max_age),
        path=path,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def _finish(response: Response, context: LinkContext, ticket: Ticket | None, kiosk: bool):
    """Set the device cookie, and (not at a kiosk) the link's pending form ticket."""
    if request.cookies.get(DEVICE_COOKIE) != _device_cookie():
        _cookie(response, DEVICE_COOKIE, _device_cookie(), 400 * 24 * 3600)
    if ticket is not None and not kiosk:
        max_age = current_app.config["FORM_MAX_AGE_HOURS"] * 3600
        path = url_for("survey.survey", token=context.token)
        _cookie(response, FORM_COOKIE, ticket.signed(), max_age, path=path)
    response.headers["Cache-Control"] = "no-store"
    return response


def _address_key() -> str:
    """The rate-limit key of a client address: a keyed hash, never the address itself."""
    secret = current_app.config["SECRET_KEY"]
    return "address:" + keyed_hash(secret, "rate-limit-address", request.remote_addr or "")


def _network_key() -> str:
    """The rate-limit key of one device: address and user agent, hashed. Not the device
    cookie, which a client can change at will."""
    return "device:" + network_hash(
        current_app.config["SECRET_KEY"], request.remote_addr or "", request.user_agent.string
    )


def _trusted_kiosk() -> int | None:
    """The kiosk this device was set up as, if it was set up for this request's link and
    is neither revoked nor expired (looked up once per request)."""
    if "trusted_kiosk" not in g:
        g.trusted_kiosk = None
        token = (request.view_args or {}).get("token")
        value = request.cookies.get(KIOSK_COOKIE)
        if request.args.get("kiosk") == "1" and token and value:
            max_age = current_app.config["KIOSK_MAX_AGE_DAYS"] * 24 * 3600
            try:
                kiosk_id = serializer().loads(value, salt=KIOSK_SALT, max_age=max_age)
            except BadSignature:
                kiosk_id = None
            if isinstance(kiosk_id, int) and 0 < kiosk_id <= MAX_ID:
                g.trusted_kiosk = trusted_kiosk_id(get_session(), kiosk_id, token)
    return g.trusted_kiosk


def _is_trusted_kiosk() -> bool:
    return _trusted_kiosk() is not None


# --- Rate limits ------------------------------------------------------------------------


def _config(name: str):
    return lambda: current_app.config[name]


def _succeeded(response: Response) -> bool:
    return response.status_code == 303


def _with_limits(view: Any) -> Any:
    """Per address (all POSTs), per device (address and user agent; not a trusted kiosk)
    and per link. The link's limit counts recorded submissions only, so junk sent to a
    link cannot use up its allowance and lock residents out."""
    limits = [
        limiter.limit(
            _config("RATE_LIMIT_ADDRESS"),
            key_func=_address_key,
            methods=["POST"],
            scope="survey-address",
        ),
        limiter.limit(
            _config("RATE_LIMIT_DEVICE"),
            key_func=_network_key,
            methods=["POST"],
            scope="survey-device",
            exempt_when=_is_trusted_kiosk,
        ),
        limiter.limit(
            _config("RATE_LIMIT_LINK"),
            key_func=lambda: "link:" + (request.view_args or {}).get("token", ""),
            methods=["POST"],
            scope="survey-link",
            deduct_when=_succeeded,
        ),
    ]
    for limit in limits:
        view = limit(view)
    return _guessing_limited(view)


def _not_found(response: Response) -> bool:
    return response.status_code == 404


def _guessing_limited(view: Any) -> Any:
    """Per address, asking for links and invitation codes that do not exist: a client
    trying codes at random is stopped long before it finds one."""
    return limiter.shared_limit(
        _config("RATE_LIMIT_GUESS"),
        "survey-guess",
        key_func=_address_key,
        deduct_when=_not_found,
    )(view)


# --- The form -------------------------------------------------------------------------------


def _unavailable(error: LinkUnavailable) -> tuple[str, int]:
    return (
        render_template(
            "survey/unavailable.html", message=UNAVAILABLE[error.reason], code=error.status
        ),
        error.status,
    )


def _context_and_form(token: str) -> tuple[LinkContext, PublishedForm]:
    session = get_session()
    context = check_available(link_context(session, token))
    assert context.version_id is not None
    return context, published_form(get_database(), session, context.version_id)


def _render_form(
    context: LinkContext,
    form: PublishedForm,
    wtform: Any,
    ticket: Ticket,
    *,
    kiosk: bool,
    served_by: str = "",
    notice: str = "",
    earlier: Receipt | None = None,
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
        form_token=ticket.signed(),
        cadres=cadres,
        served_by=served_by,
        served_by_error=NOTICES["served_by"] if notice == "served_by" else "",
        notice=NOTICES["invalid" if notice == "served_by" else notice] if notice else "",
        earlier=earlier,
        kiosk=kiosk,
    )
    return _finish(current_app.make_response((page, status)), context, ticket, kiosk)


@bp.get("/code")
@_guessing_limited
def invitation_code():
    """The home page's box: an invitation code as typed ("k7qmx 4tzpq") goes to its form."""
    typed = request.args.get("code", "")
    if not typed.strip():
        return redirect(url_for("public.index"), code=303)
    code = typed_invitation_code(typed) if len(typed) <= 40 else None
    if code is None:
        message = _l("This is not an invitation code. Please check the code on your card.")
        return render_template("survey/unavailable.html", message=message, code=404), 404
    return redirect(url_for("survey.survey", token=code), code=303)


@bp.route("/s/<token>", methods=["GET", "POST"])
@csrf.exempt
@_with_limits
def survey(token: str):
    if len(token) > 40:
        abort(404)
    kiosk = request.args.get("kiosk") == "1"
    if request.method == "POST":
        return _submit(token, kiosk)
    typed = typed_invitation_code(token)
    if typed is not None and typed != token:  # an invitation code typed into the address
        return redirect(url_for("survey.survey", token=typed), code=301)
    try:
        context, form = _context_and_form(token)
    except LinkUnavailable as error:
        return _unavailable(error)
    ticket = None if kiosk or request.args.get("again") == "1" else pending_ticket(context)
    earlier = receipt_for_nonce(get_session(), ticket.nonce) if ticket else None
    return _render_form(
        context,
        form,
        form.form_class(current_language())(),
        ticket or Ticket.new(context.link_id),
        kiosk=kiosk,
        earlier=earlier,
    )


def _submit(token: str, kiosk: bool):
    try:
        ticket, expired = read_ticket(request.form.get("form_token", "")), False
    except TicketExpired as error:
        ticket, expired = error.ticket, True
    except (BadSignature, ValueError, TypeError):
        abort(400)
    try:
        context, form = _context_and_form(token)
    except LinkUnavailable as error:
        return _already_recorded(ticket, token, kiosk) or _unavailable(error)
    if ticket.link_id != context.link_id:
        abort(400)
    wtform = form.form_class(current_language())(request.form)
    served_by = request.form.get("served_by", "")

    def again(notice: str, with_ticket: Ticket = ticket):
        return _render_form(
            context, form, wtform, with_ticket, kiosk=kiosk, served_by=served_by,
            notice=notice, status=400,
        )  # fmt: skip

    if expired:
        return _already_recorded(ticket, token, kiosk) or again(
            "expired", Ticket.new(context.link_id)
        )
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return again("csrf")
    if not wtform.validate():
        return again("invalid")
    cadre_id, served_by_ok = _served_by(context, served_by)
    if not served_by_ok:
        return again("served_by")
    try:
        receipt = record_response(
            get_session(),
            context,
            form,
            _submission(context, form, wtform, ticket, cadre_id, kiosk),
            FlagRules.from_config(current_app.config),
        )
    except LinkUnavailable as error:
        return _already_recorded(ticket, token, kiosk) or _unavailable(error)
    return _finish(_to_receipt(receipt.code, token, kiosk), context, ticket, kiosk)


def _submission(
    context: LinkContext,
    form: PublishedForm,
    wtform: Any,
    ticket: Ticket,
    cadre_id: int | None,
    kiosk: bool,
) -> Submission:
    secret = current_app.config["SECRET_KEY"]
    address, agent = request.remote_addr or "", request.user_agent.string
    kiosk_id = _trusted_kiosk() if kiosk else None
    web_channel = "kiosk" if kiosk_id is not None else "web"
    return Submission(
        answers=answers_from_form(wtform, form.questionnaire),
        nonce=ticket.nonce,
        channel="invitation" if context.kind == "invitation" else web_channel,
        language=current_language(),
        device_hash=device_hash(secret, address, agent, _device_cookie()),
        network_hash=network_hash(secret, address, agent),
        kiosk_id=kiosk_id,
        served_by_cadre_id=cadre_id,
        duration_ms=max(0, int((time.time() - ticket.opened) * 1000)),
    )


def _already_recorded(ticket: Ticket, token: str, kiosk: bool):
    """The receipt of the response this form already recorded (a resubmit), or None."""
    earlier = receipt_for_nonce(get_session(), ticket.nonce)
    return _to_receipt(earlier.code, token, kiosk) if earlier is not None else None


def _served_by(context: LinkContext, value: str) -> tuple[int | None, bool]:
    if not value or context.service_point_id is None:
        return None, True
    allowed = {choice.value for choice in cadres_at(get_session(), context.service_point_id)}
    if value not in allowed:
        return None, False
    return int(value), True


def _to_receipt(code: str, token: str, kiosk: bool):
    arguments: dict[str, Any] = {"code": code, "new": 1}
    if kiosk:
        arguments["kiosk"] = token
    return redirect(url_for("survey.receipt", **arguments), code=303)


# --- Receipts and kiosks --------------------------------------------------------------------


@bp.get("/r/<code>")
@limiter.limit(_config("RATE_LIMIT_ADDRESS"), key_func=_address_key, scope="receipt")
def receipt(code: str):
    code = code.strip().upper()
    valid = code.isascii() and code.isalnum() and len(code) <= 16
    view = receipt_view(get_session(), code) if valid else None
    if view is None:
        message = _l("No response has this receipt code. Please check the code.")
        return render_template("survey/unavailable.html", message=message, code=404), 404
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    kiosk_token = request.args.get("kiosk", "")
    kiosk_url = ""
    if kiosk_token:
        # The next person starts in the default language, whatever this one chose.
        default = current_app.config["BABEL_DEFAULT_LOCALE"]
        kiosk_url = url_for("survey.survey", token=kiosk_token, kiosk=1, lang=default)
    page = render_template(
        "survey/receipt.html",
        receipt=view,
        status_text=STATUS_TEXT[view.status],
        submitted_on=view.submitted_at.astimezone(zone).date().isoformat(),
        new=request.args.get("new") == "1",
        kiosk_url=kiosk_url,
        reset_seconds=KIOSK_RESET_SECONDS,
        receipt_url=current_app.config["PUBLIC_URL"] + url_for("survey.receipt", code=view.code),
    )
    response = current_app.make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/s/<token>/kiosk")
@role_required("admin")
def set_up_kiosk(token: str):
    """Make this device (a tablet at the window) a kiosk of this link: its responses are
    not flagged as repeats of each other. An administrator signs in on the tablet to do
    it and is signed out at once, so the tablet never carries an administrator's session.
    The set-up lasts KIOSK_MAX_AGE_DAYS unless revoked sooner; it is audited."""
    db_session = get_session()
    context = link_context(db_session, token)
    if context is None or context.kind != "open":
        abort(404)
    try:
        check_available(context)
    except LinkUnavailable as error:
        return _unavailable(error)
    begin_write(db_session)
    kiosk = set_up_kiosk_record(
        db_session,
        context.link_id,
        current_user,
        label=request.form.get("label", ""),
        device=request.user_agent.string,
        lasts=timedelta(days=current_app.config["KIOSK_MAX_AGE_DAYS"]),
    )
    end_sign_in(db_session, session.get(SIGN_IN_KEY))
    db_session.commit()
    logout_user()
    session.clear()
    response = redirect(url_for("survey.survey", token=token, kiosk=1))
    max_age = current_app.config["KIOSK_MAX_AGE_DAYS"] * 24 * 3600
    _cookie(response, KIOSK_COOKIE, serializer().dumps(kiosk.id, salt=KIOSK_SALT), max_age)
    return response
