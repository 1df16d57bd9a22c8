"""Who may reach what: one policy table for every endpoint, the decorators that enforce
it on the server, and what a leader scoped to a unit may see.

POLICY maps every endpoint of the app (blueprint.function, as in url_for) to an Access:

  Access               who                                       decorator(s) on the view
  PUBLIC               anyone, signed in or not                  (none)
  SIGNED_IN            any signed-in user                        @signed_in_required
  CADRE                a cadre, their own data only (another     @role_required("cadre")
                       cadre's object is a 404, never their data)
  LEADER               leaders and admins; a leader scoped to a  @role_required("leader", "admin")
                       unit sees only that subtree's targets
  LEADER_WHOLE_BUREAU  leaders of the whole bureau, and admins;  @role_required("leader", "admin")
                       a scoped leader gets 403 (what the page   @whole_bureau_required
                       or file shows covers every target)
  ADMIN                administrators                            @role_required("admin")

Anonymous users get the sign-in page (302) for every protected endpoint, wrong roles 403.

A new route needs two things, which tests/appraisal_engine/test_route_access.py checks
against each other and against the running app (it fails on an endpoint missing from
POLICY, on an entry without an endpoint, on a view whose decorators say otherwise than
POLICY, and on any role that gets through where it should not):

1. its decorator(s) from the right-hand column above, on the view;
2. a line in POLICY below: "blueprint.endpoint": <the Access>.

A route with an argument the test does not know yet needs a value for it in that test's
ARGUMENTS (an object of the test's world, e.g. cadre A's target for `target_id`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..db import get_session
from ..models import ROLES, Campaign, User
from ..queries.campaigns import campaign_by_code
from ..queries.scope import targets_in_units, unit_subtree

F = TypeVar("F", bound=Callable[..., Any])


# The policy table --------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """Who may reach an endpoint."""

    #: A short name, for messages.
    name: str
    #: Roles of the signed-in users let in; empty: everyone, signed in or not.
    roles: frozenset[str]
    #: Leaders scoped to a unit are refused (403): the endpoint shows the whole bureau.
    whole_bureau: bool = False
    #: A cadre sees only their own data there; another cadre's object is a 404.
    own_data: bool = False

    @property
    def public(self) -> bool:
        return not self.roles


PUBLIC = Access("public", frozenset())
SIGNED_IN = Access("signed in", frozenset(ROLES))
CADRE = Access("cadre (own data)", frozenset({"cadre"}), own_data=True)
LEADER = Access("leader (scoped: own subtree) or admin", frozenset({"leader", "admin"}))
LEADER_WHOLE_BUREAU = Access(
    "leader of the whole bureau or admin", frozenset({"leader", "admin"}), whole_bureau=True
)
ADMIN = Access("admin", frozenset({"admin"}))

#: Every endpoint of the app and who may reach it (all its methods alike).
POLICY: dict[str, Access] = {
    # Anyone: the home page, health check, static files, the public form and receipts.
    "static": PUBLIC,
    "public.index": PUBLIC,
    "public.healthz": PUBLIC,
    "public.favicon": PUBLIC,
    # A finalised campaign's league table of units, once leadership published it.
    "public.league_table": PUBLIC,
    "survey.survey": PUBLIC,
    "survey.invitation_code": PUBLIC,
    "survey.receipt": PUBLIC,
    # Signing in and out (signing out when not signed in does nothing).
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.change_password": SIGNED_IN,
    # A cadre's own pages.
    "cadre.index": CADRE,
    "cadre.campaign": CADRE,
    "cadre.trend": CADRE,
    # Leadership. The campaign's pages, charts and report show a scoped leader only the
    # targets of their subtree (blueprints.results filters by visible_target_ids).
    "leadership.index": LEADER,
    "leadership.dashboard": LEADER,
    "leadership.activity_chart": LEADER,
    "leadership.ranking": LEADER,
    "leadership.chart": LEADER,
    "leadership.report_download": LEADER,
    "leadership.scoring": LEADER,
    # Publishing the league table of every unit is the whole bureau's decision.
    "leadership.publish": LEADER_WHOLE_BUREAU,
    # Running the scoring, and its input and result documents, cover every target.
    "leadership.scoring_run": LEADER_WHOLE_BUREAU,
    "leadership.scoring_download": LEADER_WHOLE_BUREAU,
    # The API: response counts of every target of a campaign.
    "api.campaign_status": LEADER_WHOLE_BUREAU,
    # Administration.
    "survey.set_up_kiosk": ADMIN,
    "admin.index": ADMIN,
    "admin.campaigns": ADMIN,
    "admin.campaign_new": ADMIN,
    "admin.campaign": ADMIN,
    "admin.campaign_save": ADMIN,
    "admin.campaign_targets": ADMIN,
    "admin.campaign_targets_save": ADMIN,
    "admin.campaign_status_confirm": ADMIN,
    "admin.campaign_scoring": ADMIN,
    "admin.campaign_scoring_run": ADMIN,
    "admin.campaign_status_change": ADMIN,
    "admin.campaign_links": ADMIN,
    "admin.campaign_open_links": ADMIN,
    "admin.campaign_invitations": ADMIN,
    "admin.campaign_target_links": ADMIN,
    "admin.campaign_link_revoke": ADMIN,
    "admin.campaign_kiosks": ADMIN,
    "admin.campaign_kiosk_revoke": ADMIN,
    "admin.campaign_link_qr": ADMIN,
    "admin.campaign_print": ADMIN,
    "admin.campaign_target_veto": ADMIN,
    "admin.campaign_ahp": ADMIN,
    "admin.organisation": ADMIN,
    "admin.organisation_import": ADMIN,
    "admin.users": ADMIN,
    "admin.user_new": ADMIN,
    "admin.user": ADMIN,
    "admin.user_reset_password": ADMIN,
    "admin.user_active": ADMIN,
    "admin.review": ADMIN,
    "admin.review_decide": ADMIN,
    "admin.questionnaires": ADMIN,
    "admin.questionnaire_new": ADMIN,
    "admin.questionnaire_import": ADMIN,
    "admin.questionnaire_version": ADMIN,
    "admin.questionnaire_general": ADMIN,
    "admin.questionnaire_indicators": ADMIN,
    "admin.questionnaire_question_add": ADMIN,
    "admin.questionnaire_question": ADMIN,
    "admin.questionnaire_question_move": ADMIN,
    "admin.questionnaire_question_delete": ADMIN,
    "admin.questionnaire_publish": ADMIN,
    "admin.questionnaire_delete_draft": ADMIN,
    "admin.questionnaire_new_version": ADMIN,
    "admin.questionnaire_export": ADMIN,
    "admin.questionnaire_preview": ADMIN,
    "admin.questionnaire_preview_frame": ADMIN,
}


# Enforcing it ------------------------------------------------------------------------


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow signed-in users with one of `roles`; others get 403, anonymous users the
    sign-in page. The view remembers `roles` (access_roles) for the policy test."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


def signed_in_required(view: F) -> F:
    """Allow any signed-in user; anonymous users get the sign-in page."""
    return role_required(*ROLES)(view)


def whole_bureau_required(view: F) -> F:
    """Refuse (403) leaders scoped to a unit: what the view shows or sends covers every
    unit. Put it below role_required."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated and visible_unit_ids(current_user) is not None:
            abort(403)
        return view(*args, **kwargs)

    wrapped.whole_bureau = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def may_reach(endpoint: str, user: Any = None) -> bool:
    """Whether `user` (default: the signed-in user) may reach `endpoint` by POLICY, for
    showing only the links and buttons that work. Object checks (a cadre's own data, a
    scoped leader's subtree) are still the view's."""
    access = POLICY.get(endpoint)
    if access is None:
        return False
    if access.public:
        return True
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False) or user.role not in access.roles:
        return False
    return not (access.whole_bureau and visible_unit_ids(user) is not None)


# Leaders scoped to a unit ------------------------------------------------------------


def _sees_everything(user: Any) -> bool:
    """Administrators and leaders of the whole bureau (a leader with no unit)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role == "admin" or (user.role == "leader" and user.unit_id is None)


def _is_scoped_leader(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.role == "leader" and bool(user.unit_id)


def visible_unit_ids(user: User) -> set[int] | None:
    """The units whose data `user` may see on the leadership pages: None for everything
    (admins, leaders of the whole bureau), the subtree of a scoped leader's unit (the unit
    and every unit below it, by one recursive query), and nothing for anyone else."""
    if _sees_everything(user):
        return None
    if not _is_scoped_leader(user):
        return set()
    return set(get_session().scalars(unit_subtree(user.unit_id)))


def visible_target_ids(user: User, campaign_id: int) -> set[int] | None:
    """The campaign's targets `user` may see: None for all of them, else those whose
    unit, service point or cadre lies in visible_unit_ids(user)."""
    if _sees_everything(user):
        return None
    if not _is_scoped_leader(user):
        return set()
    query = targets_in_units(campaign_id, unit_subtree(user.unit_id))
    return set(get_session().scalars(query))


# Helpers for views -------------------------------------------------------------------


#: Each role's home page and its name in the navigation, the most powerful role first.
HOMES: dict[str, tuple[str, Any]] = {
    "admin": ("admin.index", _l("Administration")),
    "leader": ("leadership.index", _l("Leadership")),
    "cadre": ("cadre.index", _l("My results")),
}


def home_endpoint(role: str) -> str:
    """Where a user of `role` lands after signing in."""
    return HOMES[role][0]


def areas(user: Any = None) -> list[tuple[str, Any]]:
    """The home pages (endpoint, name) that `user` (default: the signed-in user) may reach
    by POLICY: an administrator's administration and leadership, a leader's leadership, a
    cadre's own results. Nothing for anyone else."""
    return [(endpoint, label) for endpoint, label in HOMES.values() if may_reach(endpoint, user)]


def campaign_or_404(code: str) -> Campaign:
    """The campaign of a URL's code, or a 404 page."""
    campaign = get_session().scalar(campaign_by_code(code))
    if campaign is None:
        abort(404)
    return campaign
