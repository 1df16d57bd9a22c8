"""What a respondent reads when an answer is refused, in Chinese and English.

These texts live here rather than in the app's translation catalogue because the form is
built in the questionnaire's language, which the respondent chose on the form itself."""

from __future__ import annotations

from .specs import Text

REQUIRED = Text("请回答此题。", "Please answer this question.")
TOO_LONG = Text("请不要超过 %(max)d 个字。", "Please write at most %(max)d characters.")
CONTROL_CHARACTERS = Text(
    "请删除文字中的不可见控制字符。",
    "Please remove the invisible control characters from the text.",
)
PHONE = Text(
    "请填写有效的手机号码（11位，如 13812345678）。",
    "Please enter a valid mainland China mobile number (11 digits, such as 13812345678).",
)
