"""The domain model (SQLAlchemy 2.x typed mappings). Importing this package registers
every table on `Base.metadata`."""

from .audit import AuditEntry
from .base import MAX_ID, Base, UTCDateTime, utcnow
from .campaigns import (
    AGGREGATES,
    CAMPAIGN_STATUSES,
    CATEGORIES,
    DEFAULT_CATEGORY_PARAMS,
    LINK_KINDS,
    TARGET_KINDS,
    Campaign,
    CampaignCategory,
    CampaignIndicator,
    CampaignTarget,
    Link,
)
from .health import HealthCheck
from .kiosks import Kiosk
from .org import Cadre, ServicePoint, Unit, cadre_service_points
from .questionnaires import (
    QUESTION_TYPES,
    VERSION_STATUSES,
    Indicator,
    Option,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    VersionIndicator,
)
from .responses import CHANNELS, RESPONSE_STATUSES, Answer, Response, ResponseReview
from .runs import RECTIFICATION_STATUSES, Rectification, ScoringRun
from .users import PASSWORD_METHOD, ROLES, LoginAttempt, SignIn, User

__all__ = [
    "AGGREGATES",
    "CAMPAIGN_STATUSES",
    "CATEGORIES",
    "CHANNELS",
    "DEFAULT_CATEGORY_PARAMS",
    "LINK_KINDS",
    "MAX_ID",
    "PASSWORD_METHOD",
    "QUESTION_TYPES",
    "RECTIFICATION_STATUSES",
    "RESPONSE_STATUSES",
    "ROLES",
    "TARGET_KINDS",
    "VERSION_STATUSES",
    "Answer",
    "AuditEntry",
    "Base",
    "Cadre",
    "Campaign",
    "CampaignCategory",
    "CampaignIndicator",
    "CampaignTarget",
    "HealthCheck",
    "Indicator",
    "Kiosk",
    "Link",
    "LoginAttempt",
    "Option",
    "Question",
    "Questionnaire",
    "QuestionnaireVersion",
    "Rectification",
    "Response",
    "ResponseReview",
    "ScoringRun",
    "ServicePoint",
    "SignIn",
    "UTCDateTime",
    "Unit",
    "User",
    "VersionIndicator",
    "cadre_service_points",
    "utcnow",
]
