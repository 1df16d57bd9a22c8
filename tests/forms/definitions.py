"""Small questionnaire definitions for the forms tests."""

from __future__ import annotations

from typing import Any

from forms.schema import FORMAT


def text(zh: str, en: str = "") -> dict[str, str]:
    return {"zh": zh, "en": en}


def minimal() -> dict[str, Any]:
    """Two questions: a required satisfaction scale and a comment shown only after a bad
    rating. Every optional key is left out."""
    return {
        "format": FORMAT,
        "code": "test-form",
        "title": text("测试问卷", "Test questionnaire"),
        "indicators": [{"id": "attitude", "name": text("服务态度", "Attitude"), "weight": 1}],
        "questions": [
            {
                "id": "overall",
                "type": "satisfaction5",
                "text": text("总体满意度", "Overall satisfaction"),
                "indicator": "attitude",
                "required": True,
            },
            {
                "id": "reason",
                "type": "comment",
                "text": text("不满意的原因", "Why were you dissatisfied?"),
                "condition": {
                    "question": "overall",
                    "one_of": ["dissatisfied", "very_dissatisfied"],
                },
            },
        ],
    }


def every_type() -> dict[str, Any]:
    """One question of each type, with conditions on a scale and on a multiple choice."""
    definition = minimal()
    definition["indicators"].append(
        {"id": "efficiency", "name": text("办事效率", "Efficiency"), "weight": 2.5}
    )
    definition["questions"] += [
        {
            "id": "speed",
            "type": "rating",
            "scale": 4,
            "text": text("办理速度", "Speed"),
            "indicator": "efficiency",
            "weight": 2,
        },
        {
            "id": "recommend",
            "type": "scale_0_10",
            "text": text("推荐意愿", "Would you recommend us?"),
            "indicator": "efficiency",
        },
        {
            "id": "again",
            "type": "yes_no",
            "text": text("是否一次办结", "Settled in one visit?"),
            "indicator": "efficiency",
            "help": text("包括补交材料", "Including documents handed in later"),
        },
        {
            "id": "channel",
            "type": "single_choice",
            "text": text("办理渠道", "Channel"),
            "indicator": "efficiency",
            "options": [
                {"id": "window", "label": text("窗口", "Window"), "points": 80},
                {"id": "online", "label": text("网上", "Online"), "points": 100},
                {"id": "unsure", "label": text("说不清", "Not sure"), "not_applicable": True},
            ],
        },
        {
            "id": "problems",
            "type": "multiple_choice",
            "text": text("遇到的问题", "Problems you met"),
            "options": [
                {"id": "queue", "label": text("排队久", "Long queue")},
                {"id": "rude", "label": text("态度差", "Rude staff")},
                {"id": "papers", "label": text("材料多", "Too many papers")},
            ],
        },
        {
            "id": "rude_detail",
            "type": "short_text",
            "text": text("请说明", "Please say what happened"),
            "required": True,
            "condition": {"question": "problems", "one_of": ["rude"]},
        },
        {"id": "phone", "type": "contact_phone", "text": text("手机号", "Mobile number")},
    ]
    return definition
