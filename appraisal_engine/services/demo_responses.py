"""The demo's synthetic responses: answers drawn around each target's quality and written
in bulk, and the stuffed window that the ballot-stuffing rules flag."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from scoring.registry import RESIDENTS

from ..models import Answer, Campaign, CampaignTarget, Kiosk, Link, QuestionnaireVersion, Response
from .codes import new_receipt_code
from .flags import FlagRules, answers_fingerprint, flag_reasons

COMMENTS_GOOD = [
    "工作人员很耐心，一次就办好了。",
    "效率很高，点赞！",
    "服务热情，讲解清楚。",
    "Very helpful staff, thank you.",
    "材料一次告知，没有多跑腿。",
]
COMMENTS_BAD = [
    "排队时间太长，窗口开得太少。",
    "材料要求前后说法不一致，跑了两趟。",
    "工作人员态度冷淡。",
    "The waiting time was far too long.",
    "系统经常卡顿，希望改进。",
]


def _points_of(option_points: list[float | None], latent: float) -> int:
    """Index of the scored option nearest to `latent` on the 0–100 scale."""
    scored = [(abs(p - latent), i) for i, p in enumerate(option_points) if p is not None]
    return min(scored)[1]


class ResponseWriter:
    """Draws synthetic answers and writes them in bulk (two INSERTs per batch)."""

    def __init__(
        self,
        session: Session,
        rng: random.Random,
        campaign: Campaign,
        versions: dict[str, QuestionnaireVersion],
        start: datetime,
        now: datetime,
    ):
        self.session, self.rng, self.campaign = session, rng, campaign
        self.start, self.now = start, now
        self.questions = {
            category: [
                (q.id, q.type, [(o.id, o.points, o.not_applicable) for o in q.options])
                for q in version.questions
            ]
            for category, version in versions.items()
        }
        self.version_ids = {category: v.id for category, v in versions.items()}
        self.responses: list[dict[str, Any]] = []
        self.answers: list[list[dict[str, Any]]] = []
        self.count = 0
        #: One tablet per window's open link that takes kiosk answers, set up at the start.
        self.kiosks: dict[int, int] = {}

    def _kiosk(self, link_id: int) -> int:
        if link_id not in self.kiosks:
            kiosk = Kiosk(
                link_id=link_id,
                label="窗口平板",
                device="Mozilla/5.0 (Linux; Android 12; Tablet)",
                set_up_at=self.start,
                expires_at=self.start + timedelta(days=180),
            )
            self.session.add(kiosk)
            self.session.flush()
            self.kiosks[link_id] = kiosk.id
        return self.kiosks[link_id]

    def _moment(self) -> datetime:
        day = self.rng.randrange(max(1, (self.now - self.start).days))
        moment = self.start + timedelta(days=day, hours=self.rng.uniform(1, 9))  # 09:00–17:00 CST
        return min(moment, self.now - timedelta(minutes=5))

    def add(
        self,
        target: CampaignTarget,
        category: str,
        quality: float,
        *,
        link_id: int | None,
        served_by: int | None = None,
    ) -> None:
        rng = self.rng
        mood = rng.gauss(quality, 9)
        answers = []
        for question_id, qtype, options in self.questions[category]:
            if qtype == "satisfaction5":
                if any(na for _, _, na in options) and rng.random() < 0.08:
                    option_id = next(o for o, _, na in options if na)
                    answers.append(
                        {"question_id": question_id, "option_id": option_id, "points": None}
                    )
                    continue
                index = _points_of([p for _, p, _ in options], rng.gauss(mood, 12))
                option_id, points, _ = options[index]
                answers.append(
                    {"question_id": question_id, "option_id": option_id, "points": points}
                )
            elif qtype == "comment" and rng.random() < 0.15:
                comments = COMMENTS_GOOD if mood >= 70 else COMMENTS_BAD
                answers.append({"question_id": question_id, "value_text": rng.choice(comments)})
            elif qtype == "contact_phone" and mood < 60 and rng.random() < 0.3:
                answers.append(
                    {"question_id": question_id, "value_text": f"1390000{rng.randrange(10000):04d}"}
                )
        kiosk_id = None
        if category == RESIDENTS:
            channel = rng.choices(["web", "kiosk", "paper"], [85, 10, 5])[0]
            # Tablets stand at service windows; elsewhere residents answer on their phones.
            if channel == "kiosk" and link_id is not None and target.kind == "service_point":
                kiosk_id = self._kiosk(link_id)
            elif channel == "kiosk":
                channel = "web"
            duration = int(rng.uniform(12, 90) * 1000)
        else:
            channel = "invitation"
            duration = int(rng.uniform(60, 400) * 1000)
        device = hashlib.sha256(f"demo-device-{self.count}".encode()).hexdigest()
        self.count += 1
        self.responses.append(
            {
                "campaign_id": self.campaign.id,
                "campaign_target_id": target.id,
                "category": category,
                "questionnaire_version_id": self.version_ids[category],
                "link_id": None if channel == "paper" else link_id,
                "channel": channel,
                "status": "counted",
                "flag_reasons": [],
                "receipt_code": new_receipt_code(),
                "duplicate_hash": None if channel == "paper" else device,
                "served_by_cadre_id": served_by,
                "kiosk_id": kiosk_id,
                "language": "en" if rng.random() < 0.05 else "zh",
                "duration_ms": duration,
                "submitted_at": self._moment(),
            }
        )
        self.answers.append(answers)

    def flush(self) -> None:
        if not self.responses:
            return
        ids = self.session.scalars(
            insert(Response).returning(Response.id, sort_by_parameter_order=True),
            self.responses,
        ).all()
        rows = [
            {
                "response_id": response_id,
                "option_id": None,
                "value_text": None,
                "points": None,
                **answer,
            }
            for response_id, answers in zip(ids, self.answers, strict=True)
            for answer in answers
        ]
        if rows:
            self.session.execute(insert(Answer), rows)
        self.responses, self.answers = [], []


def add_stuffing(
    session: Session,
    target: CampaignTarget,
    link: Link,
    version: QuestionnaireVersion,
    now: datetime,
) -> None:
    """A dozen identical top ratings from one phone within five minutes, flagged by the
    same rules the public form applies, so the review page has something to show."""
    device = hashlib.sha256(b"demo-stuffing-device").hexdigest()
    chosen = [
        (question, max(question.options, key=lambda o: o.points or -1))
        for question in version.questions
        if question.type == "satisfaction5"
    ]
    given = {question.key: [{"option": option.key}] for question, option in chosen}
    fingerprint = answers_fingerprint(given)
    start = now - timedelta(days=1, hours=3)
    for i in range(12):
        moment = start + timedelta(seconds=25 * i)
        reasons = flag_reasons(
            session,
            FlagRules(),
            link_id=link.id,
            target_id=target.id,
            category=RESIDENTS,
            device_hash=device,
            kiosk=False,
            fingerprint=fingerprint,
            duration_ms=2500 + 100 * i,
            answered=len(chosen),
            now=moment,
        )
        response_id = session.scalar(
            insert(Response)
            .values(
                campaign_id=target.campaign_id,
                campaign_target_id=target.id,
                category=RESIDENTS,
                questionnaire_version_id=version.id,
                link_id=link.id,
                channel="web",
                status="flagged" if reasons else "counted",
                flag_reasons=reasons,
                receipt_code=new_receipt_code(),
                duplicate_hash=device,
                answers_fingerprint=fingerprint,
                language="zh",
                duration_ms=2500 + 100 * i,
                submitted_at=moment,
            )
            .returning(Response.id)
        )
        session.execute(
            insert(Answer),
            [
                {
                    "response_id": response_id,
                    "question_id": q.id,
                    "option_id": o.id,
                    "points": o.points,
                }
                for q, o in chosen
            ],
        )
