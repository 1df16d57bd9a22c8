"""The questionnaire builder: list, create, import, edit drafts, preview, publish,
new versions, export. Published versions are read-only here, in the service layer and
in the database. One module per group of pages."""

from . import export, listing, versions

__all__ = ["export", "listing", "versions"]
