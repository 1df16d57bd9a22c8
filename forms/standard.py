"""The standard questionnaires, in Chinese and English, as plain definitions.

A residents' short form for service windows (six questions, answerable in half a minute)
and longer forms for grassroots units and for service targets. Scales run worst first, so
their default points follow SCORING.md §1: option i of k gets 100·(i−1)/(k−1).
"""

from __future__ import annotations

from typing import Any

FORMAT = "appraisal-questionnaire/1"

INDICATORS: list[dict[str, Any]] = [
    {"id": "overall", "name": {"zh": "总体满意度", "en": "Overall satisfaction"}},
    {"id": "attitude", "name": {"zh": "服务态度", "en": "Attitude"}},
    {"id": "efficiency", "name": {"zh": "办事效率", "en": "Efficiency"}},
    {"id": "integrity", "name": {"zh": "廉洁自律", "en": "Integrity"}},
    {"id": "work_style", "name": {"zh": "工作作风", "en": "Work style"}},
]

SATISFACTION_LABELS = [
    ("very_dissatisfied", "非常不满意", "Very dissatisfied"),
    ("dissatisfied", "不满意", "Dissatisfied"),
    ("neutral", "一般", "Neither"),
    ("satisfied", "满意", "Satisfied"),
    ("very_satisfied", "非常满意", "Very satisfied"),
]
NOT_APPLICABLE = ("not_applicable", "不了解", "Don't know")


def _text(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def satisfaction_options(with_not_applicable: bool = False) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = [
        {"id": key, "label": _text(zh, en), "points": 25.0 * index}
        for index, (key, zh, en) in enumerate(SATISFACTION_LABELS)
    ]
    if with_not_applicable:
        key, zh, en = NOT_APPLICABLE
        options.append({"id": key, "label": _text(zh, en), "points": None, "not_applicable": True})
    return options


def _satisfaction(
    qid: str,
    indicator: str,
    zh: str,
    en: str,
    *,
    required: bool = True,
    not_applicable: bool = False,
) -> dict[str, Any]:
    return {
        "id": qid,
        "type": "satisfaction5",
        "text": _text(zh, en),
        "required": required,
        "indicator": indicator,
        "weight": 1.0,
        "options": satisfaction_options(not_applicable),
    }


def _comment(zh: str, en: str) -> dict[str, Any]:
    return {"id": "comment", "type": "comment", "text": _text(zh, en), "required": False}


def _indicator_weights(ids: list[str]) -> list[dict[str, Any]]:
    weights = {
        "overall": 0.2,
        "attitude": 0.2,
        "efficiency": 0.25,
        "integrity": 0.2,
        "work_style": 0.15,
    }
    return [
        {**indicator, "weight": weights[indicator["id"]]}
        for indicator in INDICATORS
        if indicator["id"] in ids
    ]


def residents_window() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "code": "residents-window",
        "title": _text("窗口服务评价", "Rate this service window"),
        "intro": _text(
            "请对您刚才办理业务的体验作出评价，约需30秒。",
            "Please rate the service you have just received. It takes 30 seconds.",
        ),
        "indicators": _indicator_weights(["overall", "attitude", "efficiency", "integrity"]),
        "questions": [
            _satisfaction(
                "overall",
                "overall",
                "您对本次办事的总体满意度",
                "Overall, how satisfied are you with this visit?",
            ),
            _satisfaction("attitude", "attitude", "工作人员的服务态度", "The staff's attitude"),
            _satisfaction(
                "efficiency",
                "efficiency",
                "办事效率（等候和办理时间）",
                "Efficiency (waiting and handling time)",
            ),
            _satisfaction(
                "integrity",
                "integrity",
                "廉洁办事（无吃拿卡要）",
                "Integrity (no favours or gifts asked)",
                not_applicable=True,
            ),
            _comment("意见或建议（选填）", "Comments or suggestions (optional)"),
            {
                "id": "phone",
                "type": "contact_phone",
                "text": _text(
                    "如需回复，请留下手机号（选填）",
                    "Your mobile number, if you would like a reply (optional)",
                ),
                "required": False,
            },
        ],
    }


def _long_form(code: str, title: tuple[str, str], subject: tuple[str, str]) -> dict[str, Any]:
    zh, en = subject
    return {
        "format": FORMAT,
        "code": code,
        "title": _text(*title),
        "intro": _text(
            f"请根据一年来与{zh}的工作往来，如实评价。",
            f"Please rate {en} on your dealings with them over the past year.",
        ),
        "indicators": _indicator_weights(
            ["overall", "attitude", "efficiency", "integrity", "work_style"]
        ),
        "questions": [
            _satisfaction("overall", "overall", "总体满意度", "Overall satisfaction"),
            _satisfaction(
                "attitude_courtesy", "attitude", "热情接待、文明用语", "Courtesy and respect"
            ),
            _satisfaction(
                "attitude_patience",
                "attitude",
                "耐心解答、一次告知",
                "Patience; everything explained at once",
            ),
            _satisfaction(
                "efficiency_speed",
                "efficiency",
                "按时限办结、不拖延",
                "Matters settled on time, without delay",
            ),
            _satisfaction(
                "efficiency_coordination",
                "efficiency",
                "部门协调、减少跑腿",
                "Coordination; fewer trips needed",
                not_applicable=True,
            ),
            _satisfaction(
                "integrity_clean",
                "integrity",
                "清正廉洁、不吃拿卡要",
                "Clean conduct; no favours or gifts asked",
                not_applicable=True,
            ),
            _satisfaction(
                "integrity_rules", "integrity", "依法依规、公平公正", "Lawful, fair and impartial"
            ),
            _satisfaction(
                "work_style_responsibility",
                "work_style",
                "担当作为、不推诿扯皮",
                "Takes responsibility; no buck-passing",
            ),
            _satisfaction(
                "work_style_discipline",
                "work_style",
                "遵守纪律、作风务实",
                "Disciplined and practical",
            ),
            _comment("意见或建议（选填）", "Comments or suggestions (optional)"),
        ],
    }


def grassroots() -> dict[str, Any]:
    return _long_form(
        "grassroots",
        ("基层单位评议表", "Appraisal by grassroots units"),
        ("被评议对象", "the appraised office or cadre"),
    )


def service_targets() -> dict[str, Any]:
    return _long_form(
        "service-targets",
        ("服务对象评议表", "Appraisal by service targets"),
        ("被评议对象", "the appraised office or cadre"),
    )


STANDARD_QUESTIONNAIRES = {
    "residents": residents_window,
    "grassroots": grassroots,
    "service_targets": service_targets,
}
