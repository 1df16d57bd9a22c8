"""Realistic report inputs: an organisation of units, service points and cadres (Chinese
names, a few hostile ones), a generated `appraisal-scoring-input/1` document, the real
`scoring.score` on it, and a `ReportInput` around the result."""

from __future__ import annotations

import gettext
import hashlib
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import numpy as np

from reports.assessment import ReportInput, TargetInfo
from scoring import dumps_result, input_sha256, score

from .zh_catalogue import ZH

UNIT_NAMES = [
    "政务服务中心",
    "税务局第一分局",
    "市场监督管理局",
    "公安局户政科",
    "社会保险事业中心",
    "不动产登记中心",
    "住房公积金管理中心",
    "人力资源服务中心",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
#: Names that a spreadsheet would run as formulas if written as they are.
HOSTILE_NAMES = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1+2", "-3-4"]
HOSTILE_UNIT = "=1+1 综合科"
#: Names that markdown or matplotlib's mathtext would interpret (an unknown TeX command
#: makes mathtext raise): they must come out as typed.
MARKUP_NAMES = ["**粗体**王", "$\\undefined{x}$李"]

INDICATORS = {
    "attitude": ("服务态度", 0.3),
    "efficiency": ("办事效率", 0.3),
    "integrity": ("廉洁自律", 0.25),
    "style": ("工作作风", 0.15),
}
CATEGORY_NAMES = {"residents": "群众", "grassroots": "基层单位", "service_targets": "服务对象"}
CST = timezone(timedelta(hours=8))
#: When the reports' run was computed, as the app gives it (the bureau's time zone).
COMPUTED_AT = datetime(2027, 1, 7, 23, 45, tzinfo=UTC).astimezone(CST)
#: COMPUTED_AT as every report shows it.
COMPUTED_AT_SHOWN = "2027-01-08 07:45 +08:00"


class CatalogueTranslations(gettext.NullTranslations):
    """A translations object from a msgid → msgstr dict (the Chinese report strings)."""

    def __init__(self, catalogue: dict[str, str]) -> None:
        super().__init__()
        self.catalogue = catalogue

    def gettext(self, message: str) -> str:
        return self.catalogue.get(message, message)


def chinese() -> CatalogueTranslations:
    return CatalogueTranslations(ZH)


def cadre_name(rng: np.random.Generator) -> str:
    surname = SURNAMES[int(rng.integers(len(SURNAMES)))]
    given = "".join(GIVEN[int(i)] for i in rng.integers(len(GIVEN), size=int(rng.integers(1, 3))))
    return surname + given


def organisation(
    units: int, points_per_unit: int, cadres_per_unit: int, *, hostile: bool, seed: int
) -> tuple[list[dict[str, Any]], dict[str, TargetInfo]]:
    """Scoring targets (units, then service points, then cadres, each by code, as the app
    lists them) and their TargetInfo."""
    rng = np.random.default_rng(seed)
    declared: dict[str, list[dict[str, Any]]] = {"unit": [], "service_point": [], "cadre": []}
    info: dict[str, TargetInfo] = {}
    hostile_names = [*HOSTILE_NAMES, *MARKUP_NAMES] if hostile else []
    point_number = cadre_number = 0
    for u in range(units):
        unit_id = f"unit:U{u + 1:03d}"
        base = UNIT_NAMES[u % len(UNIT_NAMES)]
        unit_name = base if u < len(UNIT_NAMES) else f"{base}{u // len(UNIT_NAMES) + 1}"
        if hostile and u == 1:
            unit_name = HOSTILE_UNIT
        declared["unit"].append({"id": unit_id, "name": unit_name, "group": "unit"})
        info[unit_id] = TargetInfo(unit_name, "unit", unit_id, unit_name)
        for p in range(points_per_unit):
            point_number += 1
            point_id = f"service_point:P{point_number:04d}"
            name = f"{unit_name}{p + 1}号窗口"
            declared["service_point"].append(
                {"id": point_id, "name": name, "group": "service_point"}
            )
            info[point_id] = TargetInfo(name, "service_point", unit_id, unit_name)
        for _ in range(cadres_per_unit):
            cadre_number += 1
            cadre_id = f"cadre:C{cadre_number:05d}"
            name = hostile_names.pop(0) if hostile_names else cadre_name(rng)
            declared["cadre"].append({"id": cadre_id, "name": name, "group": "cadre"})
            info[cadre_id] = TargetInfo(name, "cadre", unit_id, unit_name)
    targets = declared["unit"] + declared["service_point"] + declared["cadre"]
    return targets, info


def scoring_document(
    targets: list[dict[str, Any]],
    *,
    responses: tuple[int, int, int] = (32, 6, 6),
    seed: int = 7,
    aggregate: str = "mean",
    pool: float | None = 100_000.0,
    veto_every: int = 0,
) -> dict[str, Any]:
    """A scoring input with about `responses` responses per target and category
    (residents, grassroots, service targets); every seventh target gets few residents'
    responses (so some are insufficient), quality varies by target so that grades spread
    out, and the points are on a five-level scale with a few nulls."""
    rng = np.random.default_rng(seed)
    questions = [
        {"id": f"{indicator}{k}", "indicator": indicator, "weight": float(1 + k % 2)}
        for indicator in INDICATORS
        for k in range(2)
    ]
    params = {
        "categories": {
            "residents": {"weight": 0.5, "min_responses": 20},
            "grassroots": {"weight": 0.3, "min_responses": 5},
            "service_targets": {"weight": 0.2, "min_responses": 5},
        },
        "aggregate": aggregate,
        "grades": {
            "fail_below": 60,
            "basic_below": 70,
            "excellent_min": 80,
            "excellent_quota": 0.2,
        },
        "bonus": {"pool": pool},
    }
    document_targets = []
    document_responses: list[dict[str, Any]] = []
    scale = np.array([0.0, 25.0, 50.0, 75.0, 100.0])
    for t, target in enumerate(targets):
        document_targets.append({**target, "veto": bool(veto_every and t % veto_every == 3)})
        quality = float(rng.beta(4, 1.6))
        few = t % 7 == 5
        for category, count in zip(params["categories"], responses, strict=True):
            if few:
                count = max(2, count // 4) if category == "residents" else 3
            count = max(0, int(count + rng.integers(-2, 3)))
            # A respondent's overall verdict on the five-level scale, then each answer
            # within one step of it.
            verdict = np.clip(np.round(rng.normal(4.6 * quality, 1.0, size=count)), 0, 4)
            steps = rng.integers(-1, 2, size=(count, len(questions)))
            drawn = scale[np.clip(verdict[:, None] + steps, 0, 4).astype(int)]
            missing = rng.random((count, len(questions))) < 0.04
            for values, gaps in zip(drawn.tolist(), missing.tolist(), strict=True):
                document_responses.append(
                    {
                        "id": f"r{len(document_responses)}",
                        "target": target["id"],
                        "category": category,
                        "points": {
                            question["id"]: None if gap else value
                            for question, value, gap in zip(questions, values, gaps, strict=True)
                        },
                    }
                )
    return {
        "format": "appraisal-scoring-input/1",
        "campaign": {"code": "2026-annual", "name": "2026年度群众评议机关"},
        "params": params,
        "indicators": [{"id": key, "weight": weight} for key, (_n, weight) in INDICATORS.items()],
        "questions": questions,
        "targets": document_targets,
        "responses": document_responses,
    }


def report_input(
    *,
    units: int = 3,
    points_per_unit: int = 2,
    cadres_per_unit: int = 3,
    responses: tuple[int, int, int] = (32, 6, 6),
    hostile: bool = True,
    previous: bool = True,
    aggregate: str = "mean",
    pool: float | None = 100_000.0,
    translations: Any = None,
    seed: int = 7,
    status: str = "provisional",
) -> ReportInput:
    """A ReportInput around the real scoring of a generated campaign."""
    targets, info = organisation(
        units, points_per_unit, cadres_per_unit, hostile=hostile, seed=seed
    )
    document = scoring_document(
        targets, responses=responses, seed=seed, aggregate=aggregate, pool=pool, veto_every=11
    )
    # As the app stores it and reads it back.
    result_text = dumps_result(score(document)).encode("utf-8")
    result = json.loads(result_text)
    rng = np.random.default_rng(seed + 1)
    earlier = {}
    if previous:
        for target in result["targets"]:
            if target["composite"] is not None and rng.random() < 0.8:
                earlier[target["id"]] = float(
                    np.clip(target["composite"] + rng.normal(0, 4), 0, 100)
                )
    assert input_sha256(document) == result["input_sha256"]
    return ReportInput(
        result=result,
        campaign_code=document["campaign"]["code"],
        campaign_name=document["campaign"]["name"],
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        generated_at=datetime(2027, 1, 8, 10, 30, tzinfo=UTC).astimezone(CST),
        computed_at=COMPUTED_AT,
        run_id=12,
        input_sha256=result["input_sha256"],
        result_sha256=hashlib.sha256(result_text).hexdigest(),
        params=document["params"],
        indicator_names={key: name for key, (name, _w) in INDICATORS.items()},
        category_names=CATEGORY_NAMES,
        targets=info,
        previous=earlier,
        translations=translations if translations is not None else chinese(),
        status=status,
    )
