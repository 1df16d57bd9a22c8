"""Factories for test objects: each makes a valid object with sensible defaults, flushed
so it has an id; keyword arguments override the defaults."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from appraisal_engine.models import (
    CATEGORIES,
    DEFAULT_CATEGORY_PARAMS,
    Answer,
    Cadre,
    Campaign,
    CampaignCategory,
    CampaignTarget,
    Link,
    QuestionnaireVersion,
    Response,
    ServicePoint,
    Unit,
    User,
)
from appraisal_engine.services.accounts import create_user
from appraisal_engine.services.codes import new_link_token
from appraisal_engine.services.questionnaires import store_version
from forms.standard import STANDARD_QUESTIONNAIRES

PASSWORD = "correct horse battery"


class Factories:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._numbers = itertools.count(1)

    def _next(self) -> int:
        return next(self._numbers)

    def _add(self, obj: Any) -> Any:
        self.session.add(obj)
        self.session.flush()
        return obj

    def unit(self, **values: Any) -> Unit:
        n = self._next()
        values.setdefault("code", f"U{n:03d}")
        values.setdefault("name_zh", f"单位{n}")
        values.setdefault("name_en", f"Unit {n}")
        return self._add(Unit(**values))

    def service_point(self, **values: Any) -> ServicePoint:
        n = self._next()
        if "unit" not in values and "unit_id" not in values:
            values["unit"] = self.unit()
        values.setdefault("code", f"W{n:03d}")
        values.setdefault("name_zh", f"{n}号窗口")
        values.setdefault("name_en", f"Window {n}")
        return self._add(ServicePoint(**values))

    def cadre(self, **values: Any) -> Cadre:
        n = self._next()
        if "unit" not in values and "unit_id" not in values:
            values["unit"] = self.unit()
        values.setdefault("code", f"C{n:03d}")
        values.setdefault("name_zh", f"干部{n}")
        values.setdefault("name_en", f"Cadre {n}")
        return self._add(Cadre(**values))

    def user(self, role: str = "admin", *, password: str = PASSWORD, **values: Any) -> User:
        n = self._next()
        username = values.pop("username", f"{role}{n}")
        cadre_code = values.pop("cadre_code", None)
        if role == "cadre" and cadre_code is None:
            cadre_code = self.cadre().code
        user = create_user(
            self.session,
            username=username,
            password=password,
            role=role,
            cadre_code=cadre_code,
            **values,
        )
        self.session.flush()
        return user

    def questionnaire_version(
        self, category: str = "residents", *, publish: bool = True
    ) -> QuestionnaireVersion:
        definition = STANDARD_QUESTIONNAIRES[category]()
        return store_version(self.session, definition, publish=publish)

    def response(
        self, campaign: Campaign, subject: Any = None, *, category: str = "residents", **values: Any
    ) -> Response:
        """A counted response to the first scored question of the category's version."""
        target = next(
            (t for t in campaign.targets if subject is None or t.subject is subject), None
        )
        if target is None:
            raise ValueError("the campaign has no such target")
        version = next(
            c.questionnaire_version for c in campaign.categories if c.category == category
        )
        question = next(q for q in version.questions if q.options)
        option = question.options[-1]
        response = Response(
            campaign_id=campaign.id,
            campaign_target_id=target.id,
            category=category,
            questionnaire_version_id=version.id,
            channel="web",
            receipt_code=f"R{self._next():09d}",
            **values,
        )
        response.answers = [
            Answer(question_id=question.id, option_id=option.id, points=option.points)
        ]
        return self._add(response)

    def campaign(
        self, *, targets: list[Unit | ServicePoint | Cadre] = (), **values: Any
    ) -> Campaign:
        n = self._next()
        values.setdefault("code", f"campaign-{n}")
        values.setdefault("name_zh", f"测评{n}")
        values.setdefault("starts_on", date(2026, 1, 1))
        values.setdefault("ends_on", date(2026, 12, 31))
        campaign = Campaign(**values)
        campaign.categories = [
            CampaignCategory(
                category=category,
                questionnaire_version=self.questionnaire_version(category),
                weight=DEFAULT_CATEGORY_PARAMS[category][0],
                min_responses=DEFAULT_CATEGORY_PARAMS[category][1],
            )
            for category in CATEGORIES
        ]
        for subject in targets:
            kind = {Unit: "unit", ServicePoint: "service_point", Cadre: "cadre"}[type(subject)]
            campaign.targets.append(CampaignTarget(kind=kind, **{kind: subject}))
        return self._add(campaign)

    def link(
        self,
        campaign: Campaign,
        subject: Any = None,
        *,
        category: str = "residents",
        kind: str = "open",
        **values: Any,
    ) -> Link:
        """A public link (or, with kind="invitation", a one-time code) to a target."""
        target = next(
            (t for t in campaign.targets if subject is None or t.subject is subject), None
        )
        if target is None:
            raise ValueError("the campaign has no such target")
        values.setdefault("token", new_link_token())
        return self._add(Link(target=target, category=category, kind=kind, **values))
