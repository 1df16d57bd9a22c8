"""Administration: the organisation, questionnaires, campaigns, users."""

from . import campaigns, home, organisation, questionnaires, reviews, scoring, users
from .blueprint import bp

__all__ = [
    "bp",
    "campaigns",
    "home",
    "organisation",
    "questionnaires",
    "reviews",
    "scoring",
    "users",
]
