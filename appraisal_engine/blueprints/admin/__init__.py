"""Administration: the organisation, questionnaires, campaigns, users."""

from . import home, questionnaires
from .blueprint import bp

__all__ = ["bp", "home", "questionnaires"]
