"""Questionnaires in and out: JSON (`appraisal-questionnaire/1`) and XLSForm workbooks.

JSON is the normalised definition, pretty-printed. XLSForm import reads the workbook with
pyxform (its reader and its own checks) and accepts the subset that means something here:

=============================  ===========================================================
survey sheet ``type``          becomes
=============================  ===========================================================
``select_one LIST``            ``single_choice``, or the ``appraisal_type`` column's
                               ``satisfaction5`` / ``yes_no`` / ``rating`` (k = the
                               list's options besides a not-applicable one) /
                               ``scale_0_10``
``select_multiple LIST``       ``multiple_choice``
``integer``                    with the constraint ``. >= 0 and . <= 10``: ``scale_0_10``;
                               with ``. >= 1 and . <= k`` (2 ≤ k ≤ 10): ``rating`` k
``text``                       ``comment``, or the ``appraisal_type`` column's
                               ``short_text`` / ``contact_phone``
``note``                       its label is put before the help (hint) of the next
                               question; a note with no question after it is dropped
``begin group``/``end group``  flattened: the group itself is dropped; its
                               ``relevant`` holds for each of its questions (a question
                               with one of its own too is refused: one condition each)
=============================  ===========================================================

Columns: ``name`` (the id), ``label::<language>`` (text), ``hint::<language>`` (help),
``required`` (yes/true), ``relevant`` (``${q} = 'x'``, ``selected(${q}, 'x')``, or several
such terms on one question joined by ``or``: the condition), and the extra columns
``indicator``, ``weight`` and ``appraisal_type``. On the choices sheet: ``points`` (blank:
the default; ``null``: no points) and ``not_applicable`` (yes/true). The settings sheet
gives ``form_id`` (the code), ``form_title`` (the title; ``form_title::<language>`` for
each language) and ``intro::<language>``. An optional ``indicators`` sheet lists
``name``, ``label::<language>`` and ``weight``; without it the indicators named on the
survey sheet are declared with weight 1 and their id as name.

Languages are recognised by name or code, in any case: "Chinese (zh)", "chinese",
"中文", "zh", "zh-CN" are Chinese, "English (en)", "English", "en" are English, written
``label::…`` or ``label:…``. A column without a language ("label") is in the settings'
``default_language``, else Chinese unless none of those columns' texts has a Chinese
character. Columns in other languages are ignored, as are columns that do not change what
a question means (appearance, constraint messages, media), and the metadata rows that
show nothing (start, end, today, deviceid …).

A standard XLSForm needs none of the extra columns; where the workbook is silent the
importer assumes, and reports each assumption as a Note (``assumed``): no settings sheet —
the code from the file name, the title from the code; a scored question with no indicator —
its innermost group's name as the indicator (the group's label its name), or "overall"
outside any group; no weights — equal weights; a select_one whose 2 to 10 choices are named
by numbers and carry no points — a rating, the lowest number the worst unless its label
sounds good and the highest's bad (then the highest is the worst); choice names that are
not identifiers — "v<n>" for a number n, else "_" for other characters; question names
that are not identifiers (Kobo's "_1_overall") — "q_" before them, "_" for other
characters, the ``relevant`` expressions following; a workbook with no Chinese texts — the
English ones on the Chinese form too.

Anything else — another question type, a repeat, a calculation, an unsupported
``relevant`` — is refused with its row, e.g. ``survey row 7: question type "geopoint" is
not supported``. Every problem found is reported at once. Cell values are read as pyxform
reads them: stripped of surrounding spaces.

pyxform and openpyxl take about a second to import together: they load when the first
workbook is read or written, not with this module (JSON never needs them).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zipfile import BadZipFile

from .checks import IDENTIFIER, LANGUAGES
from .field_types.scales import MAX_RATING_SCALE, MIN_RATING_SCALE, numbered_option_id
from .problems import N_, QUOTED, Note, Problem, QuestionnaireError
from .registry import field_type
from .schema import FORMAT, normalise, validate

if TYPE_CHECKING:
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import DefinitionData

PathLike = str | os.PathLike[str]

#: The messages of Python's JSON reader, each said in full (an unknown one is quoted).
JSON_ERRORS = {
    "Expecting value": N_("malformed JSON: Expecting value"),
    "Expecting ',' delimiter": N_("malformed JSON: Expecting ',' delimiter"),
    "Expecting ':' delimiter": N_("malformed JSON: Expecting ':' delimiter"),
    "Expecting property name enclosed in double quotes": N_(
        "malformed JSON: Expecting property name enclosed in double quotes"
    ),
    "Extra data": N_("malformed JSON: Extra data"),
    "Unterminated string starting at": N_("malformed JSON: Unterminated string starting at"),
    "Invalid control character at": N_("malformed JSON: Invalid control character at"),
    "Invalid \\escape": N_("malformed JSON: Invalid \\escape"),
    "Invalid \\uXXXX escape": N_("malformed JSON: Invalid \\uXXXX escape"),
    "Illegal trailing comma before end of object": N_(
        "malformed JSON: Illegal trailing comma before end of object"
    ),
    "Illegal trailing comma before end of array": N_(
        "malformed JSON: Illegal trailing comma before end of array"
    ),
}

# JSON -------------------------------------------------------------------------------------


def to_json(definition: Mapping[str, Any]) -> str:
    """The normalised definition as an `appraisal-questionnaire/1` document: indented,
    UTF-8 text with Chinese kept as is, ending in a newline."""
    return json.dumps(normalise(definition), ensure_ascii=False, indent=2) + "\n"


def from_json(text: str | bytes) -> dict[str, Any]:
    """The normalised definition in a JSON document; QuestionnaireError naming the line
    and column of malformed JSON, or the path of each problem of the definition."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise QuestionnaireError.single(
                "", N_("the file is not UTF-8 text (byte %(byte)s)"), {"byte": error.start + 1}
            ) from None
    try:
        document = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        if error.msg in JSON_ERRORS:
            raise QuestionnaireError.single(where, JSON_ERRORS[error.msg]) from None
        raise QuestionnaireError.single(
            where, N_("malformed JSON: %(reason)s"), {"reason": error.msg}
        ) from None
    except RecursionError:
        raise QuestionnaireError.single("", N_("the JSON is nested too deeply")) from None
    return normalise(document)


def read_questionnaire_file(
    path: PathLike, *, name: str | None = None, assumed: list[Note] | None = None
) -> dict[str, Any]:
    """The normalised definition in a .json or XLSForm .xlsx file. For a workbook, `name`
    is the file's name as its owner gave it (the default code) and `assumed` receives the
    defaults applied (see from_xlsform)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return from_json(path.read_bytes())
    if suffix == ".xlsx":
        return from_xlsform(path, name=name, assumed=assumed)
    raise QuestionnaireError.single("", N_("the file must be a .json or an XLSForm .xlsx file"))


def write_questionnaire_file(definition: Mapping[str, Any], path: PathLike) -> None:
    """Write `definition` as JSON or XLSForm, as the file's suffix says."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(to_json(definition), encoding="utf-8")
    elif suffix == ".xlsx":
        to_xlsform(definition, path)
    else:
        raise ValueError(f"{path.name}: the file must end in .json or .xlsx")


# XLSForm: shared names --------------------------------------------------------------------

LANGUAGE_COLUMNS = {"zh": "Chinese (zh)", "en": "English (en)"}
SELECT_ONE_TYPES = ("single_choice", "satisfaction5", "yes_no", "rating", "scale_0_10")
TEXT_TYPES = ("comment", "short_text", "contact_phone")
YES = ("yes", "true", "1")
NO = ("no", "false", "0")
INDICATORS_SHEET = "indicators"
#: Names pyxform keeps for itself; a question so named cannot be exported.
XLSFORM_RESERVED_NAMES = ("meta",)

GROUP = re.compile(r"(begin|end)[ _]group\Z")
REPEAT = re.compile(r"(begin|end)[ _](repeat|lgroup|loop|looped group)\b")
OR_OTHER = re.compile(r"\s(or specify other|or_other|or other)\Z")
SELECT_ONE = re.compile(r"(select_one|select one|select1|select one from)\s+\S+\Z")
SELECT_MULTIPLE = re.compile(
    r"(select_multiple|select all that apply|select all that apply from)\s+\S+\Z"
)
SIMPLE_TYPES = {
    "integer": "integer",
    "int": "integer",
    "text": "text",
    "string": "text",
    "note": "note",
}
#: Columns whose content this importer cannot honour; a row that fills one is refused.
REFUSED_COLUMNS = ("calculation", "repeat_count", "choice_filter", "trigger", "default")
INTEGER_RANGE = re.compile(r"\s*\.\s*>=\s*(\d+)\s+and\s+\.\s*<=\s*(\d+)\s*\Z")
RELEVANT_TERM = re.compile(
    r"""\s*(?:
        \$\{(?P<equals>[A-Za-z_][\w.-]*)\}
          \s*=\s*(?:(?P<q1>['"])(?P<v1>[^'"]*)(?P=q1)|(?P<n1>\d+))
      | selected\(\s*\$\{(?P<selected>[A-Za-z_][\w.-]*)\}
          \s*,\s*(?P<q2>['"])(?P<v2>[^'"]*)(?P=q2)\s*\)
    )\s*""",
    re.VERBOSE,
)
RELEVANT_OR = re.compile(r"or\b")
#: What reading a file that is not an .xlsx workbook may raise, besides pyxform's
#: PyXFormError and openpyxl's InvalidFileException.
UNREADABLE = (
    BadZipFile,
    SyntaxError,
    ValueError,
    KeyError,
    OSError,
)
PYXFORM_ROW = re.compile(r"\[row : (\d+)\]\s*")
PYXFORM_SHEET = re.compile(r"On the '(\w+)' sheet, ")


#: Language names and codes, lower case, as XLSForm columns write them ("label::English",
#: "label::Chinese (zh)", "label::zh-CN", "label::中文").
LANGUAGE_NAMES = {
    "zh": ("chinese", "中文", "汉语", "简体中文", "zho", "chi", "cn", "chinese (simplified)"),
    "en": ("english", "英文", "英语", "eng"),
}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: Question types that record something about the device or the session and show nothing:
#: skipped.
METADATA_TYPES = (
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
)
#: The indicator of scored questions that name none and stand outside any group.
DEFAULT_INDICATOR = {"id": "overall", "name": {"zh": "总体评价", "en": "Overall"}}
#: Words that mark a choice label as the bad end of a scale.
NEGATIVE_WORDS = re.compile(
    r"不|差|没有|否|dis|unsatisf|poor|bad|worst|never|not\b|unhappy|terrible", re.IGNORECASE
)


def _language(key: str, default: str) -> str | None:
    """ "zh" or "en" for an XLSForm language name ("Chinese (zh)", "zh", "zh-CN", "English",
    "中文"; case does not matter), `default` for "default", None for another language."""
    if key == "default":
        return default
    code_match = re.search(r"\(([^)]*)\)\s*\Z", key)
    code = (code_match.group(1) if code_match else key).strip().lower()
    name = re.sub(r"\s*\([^)]*\)\s*\Z", "", key).strip().lower()
    for language, names in LANGUAGE_NAMES.items():
        if code == language or code.startswith((f"{language}-", f"{language}_")):
            return language
        if name in names or key.strip().lower() in names:
            return language
    return None


def _identifier(name: str, prefix: str) -> str:
    """An identifier for an XLSForm name: a number n becomes "v<n>" (as the scales' option
    ids), other characters than letters, digits and "_" become "_", and `prefix` comes
    first where the name does not start with a letter."""
    if name.isascii() and name.isdigit():
        return numbered_option_id(int(name))
    result = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return result if re.match(r"[A-Za-z]", result) else f"{prefix}{result}"


def _code_from_name(name: str) -> str:
    """A questionnaire code from a file name: its letters, digits, ".", "_" and "-"."""
    code = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")[:64].strip("-._")
    return code or "questionnaire"


# XLSForm import ---------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    cells: dict[str, Any]
    kind: str = ""


#: An element of the survey, its row, its innermost group (with the group's row) and the
#: `relevant` of a group around it (with that group's row number).
_Element = tuple[
    Mapping[str, Any],
    "_Row | None",
    "tuple[Mapping[str, Any], _Row] | None",
    "tuple[str, int] | None",
]


@dataclass
class _Imported:
    """What the importer knows of where each part of the definition came from, to name
    rows in the problems that validation finds."""

    question_rows: list[int] = field(default_factory=list)
    option_rows: list[list[int | None]] = field(default_factory=list)
    indicator_rows: list[str] = field(default_factory=list)


def from_xlsform(
    path: PathLike, *, name: str | None = None, assumed: list[Note] | None = None
) -> dict[str, Any]:
    """The normalised definition in an XLSForm workbook (see the module's docstring);
    QuestionnaireError naming the sheet and row of every problem. `name` (default: the
    path's) gives the code when the settings sheet does not; `assumed` receives a Note for
    each default applied where the workbook said nothing."""
    from openpyxl.utils.exceptions import InvalidFileException
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    if not Path(path).is_file():
        raise QuestionnaireError.single("", N_("no such file: %(path)s"), {"path": os.fspath(path)})
    try:
        data = get_xlsform(os.fspath(path))
        indicator_rows = _read_indicators(path)
    except (PyXFormError, InvalidFileException, *UNREADABLE) as error:
        raise QuestionnaireError.single(
            "", N_("not a readable XLSForm workbook: %(error)s"), {"error": str(error)}
        ) from None
    rows = _survey_rows(data)
    problems = [problem for row in rows for problem in _check_row(row)]
    if problems:
        raise QuestionnaireError(problems)
    choice_rows = _choice_rows(data)
    settings = (data.settings or [{}])[0]
    try:
        document = workbook_to_json(
            data, form_name="data", fallback_form_name=data.fallback_form_name, warnings=[]
        )
    except PyXFormError as error:
        raise QuestionnaireError([_pyxform_problem(error)]) from None
    importer = _XLSFormImporter(document, rows, choice_rows, indicator_rows)
    importer.default_language = _default_language(settings, data)
    definition = importer.definition(settings, Path(name or path).stem)
    problems = importer.problems + [importer.locate(problem) for problem in validate(definition)]
    if problems:
        raise QuestionnaireError(problems)
    if assumed is not None:
        assumed.extend(importer.notes)
    return normalise(definition)


def _default_language(settings: Mapping[str, Any], data: DefinitionData) -> str:
    """The language of columns that name none ("label", "hint", "form_title"): the
    settings' default_language when it is Chinese or English; otherwise Chinese, unless
    these columns hold texts and none has a Chinese character (then English)."""
    named = _language(str(settings.get("default_language", "")), "zh")
    if named is not None:
        return named
    texts = [str(settings.get(key) or "") for key in ("form_title", "intro")]
    for cells in [*(data.survey or []), *(data.choices or [])]:
        texts += [str((cells or {}).get(key) or "") for key in ("label", "hint")]
    texts = [text for text in texts if text.strip()]
    return "zh" if not texts or any(CJK.search(text) for text in texts) else "en"


def _survey_rows(data: DefinitionData) -> list[_Row]:
    """The filled rows of the survey sheet, with their row numbers (the header is row 1;
    pyxform keeps empty rows in place, so positions give row numbers)."""
    return [_Row(number, cells) for number, cells in enumerate(data.survey or [], start=2) if cells]


def _choice_rows(data: DefinitionData) -> dict[tuple[str, str], int]:
    return {
        (str(cells.get("list_name", "")), str(cells.get("name", ""))): number
        for number, cells in enumerate(data.choices or [], start=2)
        if cells
    }


def _check_row(row: _Row) -> list[Problem]:
    """Classify the row's type into row.kind; a problem if it is outside the subset."""
    where = f"survey row {row.number}"
    type_name = str(row.cells.get("type", "")).strip()
    if not type_name:
        return [Problem(where, N_("the type is empty"))]
    if type_name in METADATA_TYPES:
        row.kind = "metadata"
        return []
    if GROUP.match(type_name):
        row.kind = "begin group" if type_name.startswith("begin") else "end group"
    elif REPEAT.match(type_name):
        return [Problem(where, N_('"%(type)s": repeats are not supported'), {"type": type_name})]
    elif OR_OTHER.search(type_name):
        return [Problem(where, N_('"%(type)s": "or other" is not supported'), {"type": type_name})]
    elif SELECT_ONE.match(type_name):
        row.kind = "select_one"
    elif SELECT_MULTIPLE.match(type_name):
        row.kind = "select_multiple"
    elif type_name in SIMPLE_TYPES:
        row.kind = SIMPLE_TYPES[type_name]
    else:
        return [
            Problem(where, N_('question type "%(type)s" is not supported'), {"type": type_name})
        ]
    problems = [
        Problem(where, N_('the column "%(column)s" is not supported'), {"column": column})
        for column in REFUSED_COLUMNS
        if row.cells.get(column)
    ]
    if row.cells.get("constraint") and row.kind != "integer":
        problems.append(
            Problem(where, N_('a "constraint" is supported only on an integer question'))
        )
    return problems


def _pyxform_problem(error: PyXFormError) -> Problem:
    message = str(error)
    row = error.context.get("row")
    sheet = error.context.get("sheet")
    row_match = PYXFORM_ROW.search(message)
    if row_match:
        row = row or int(row_match.group(1))
        message = PYXFORM_ROW.sub("", message, count=1)
    sheet_match = PYXFORM_SHEET.search(message)
    if sheet_match:
        sheet = sheet or sheet_match.group(1)
        message = PYXFORM_SHEET.sub("", message, count=1)
    location = f"{sheet or 'survey'} row {row}" if row else ""
    return Problem(location, QUOTED, {"message": message.strip()})


def _read_indicators(path: PathLike) -> list[_Row] | None:
    """The rows of the optional indicators sheet (pyxform skips sheets it does not know);
    None when there is none."""
    from openpyxl import load_workbook
    from pyxform.xls2json_backends import xlsx_value_to_str

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = next(
            (workbook[name] for name in workbook.sheetnames if name.lower() == INDICATORS_SHEET),
            None,
        )
        if sheet is None:
            return None
        rows = sheet.iter_rows(values_only=True)
        header = [str(value).strip() if value is not None else "" for value in next(rows, ())]
        result = []
        for number, values in enumerate(rows, start=2):
            cells = {
                header[index]: xlsx_value_to_str(value).strip()
                for index, value in enumerate(values)
                if index < len(header) and header[index] and value not in (None, "")
            }
            if cells:
                result.append(_Row(number, cells))
        return result
    finally:
        workbook.close()


class _XLSFormImporter:
    def __init__(
        self,
        document: Mapping[str, Any],
        rows: list[_Row],
        choice_rows: Mapping[tuple[str, str], int],
        indicator_rows: list[_Row] | None,
    ) -> None:
        self.document = document
        self.rows = rows
        self.choice_rows = choice_rows
        self.indicator_rows = indicator_rows
        #: The language of columns that name none ("label", "hint").
        self.default_language = "zh"
        self.problems: list[Problem] = []
        self.notes: list[Note] = []
        self.where = _Imported()
        #: Kind ("select_one", "integer", ...) of each question imported so far, by id.
        self.kinds: dict[str, str] = {}
        #: Option id of each choice name, by question id (numbers become "v<n>").
        self.option_ids: dict[str, dict[str, str]] = {}
        #: Question id of each XLSForm name that is not an identifier ("_1_q" → "q__1_q").
        self.question_ids: dict[str, str] = {}
        #: Languages that some text of the workbook is written in.
        self.languages: set[str] = set()
        #: Indicators assumed for scored questions that name none, by id: their names.
        self.assumed_indicators: dict[str, dict[str, str]] = {}
        self.weight_column = False

    # The document ---------------------------------------------------------------------

    def definition(self, settings: Mapping[str, Any], file_name: str) -> dict[str, Any]:
        """The definition read, with the defaults the workbook leaves open filled in."""
        questions = self._questions()
        notes, self.notes = self.notes, []
        code = settings.get("form_id") or settings.get("id_string")
        if not code:
            code = _code_from_name(file_name)
            self.notes.append(
                Note(
                    N_(
                        'no form_id in a settings sheet: the code is "%(code)s", from the file name'
                    ),
                    {"code": code},
                )
            )
        has_title = any(
            str(key).split("::")[0] in ("form_title", "title") and value
            for key, value in settings.items()
        )
        title = self._text(self.document.get("title")) if has_title else {"zh": "", "en": ""}
        if not any(title.values()):
            title = {"zh": str(code), "en": ""}
            self.notes.append(
                Note(N_('no form_title: the title is the code, "%(code)s"'), {"code": code})
            )
        definition: dict[str, Any] = {
            "format": FORMAT,
            "code": code,
            "title": title,
            "intro": self._text(self.document.get("intro")),
            "indicators": self._indicators(questions),
            "questions": questions,
        }
        self.notes += notes
        self._weight_notes(definition)
        self._fill_languages(definition)
        return definition

    def _text(self, value: Any, extra: Mapping[str, Any] | None = None) -> dict[str, str]:
        """{"zh", "en"} from a pyxform label: a string, or a dict by language name; `extra`
        holds texts by language of columns pyxform did not read ("label:english")."""
        entries: list[tuple[str, Any]] = []
        if isinstance(value, Mapping):
            entries += [(str(key), entry) for key, entry in value.items() if key != "default"]
        entries += list((extra or {}).items())
        if isinstance(value, str):
            entries.append(("default", value))
        elif isinstance(value, Mapping) and "default" in value:
            entries.append(("default", value["default"]))
        result = {"zh": "", "en": ""}
        for key, entry in entries:
            language = _language(key, self.default_language)
            if language in LANGUAGES and not result[language] and str(entry or "").strip():
                result[language] = str(entry)
                self.languages.add(language)
        return result

    def _column_text(self, element: Mapping[str, Any], column: str) -> dict[str, str]:
        """The text of `column` ("label", "hint"), in all the ways XLSForm writes one."""
        extra = {
            key.split(":", 1)[1]: value
            for key, value in element.items()
            if isinstance(key, str) and re.match(rf"{column}:[^:]", key)
        }
        return self._text(element.get(column), extra)

    def _number(self, value: Any, where: str, column: str) -> float | None:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.problems.append(
                Problem(
                    where,
                    N_('%(column)s: "%(value)s" is not a number'),
                    {"column": column, "value": value},
                )
            )
            return None
        return number

    def _flag(self, value: Any, where: str, column: str) -> bool:
        text = str(value or "").strip().lower()
        if text in YES:
            return True
        if text in NO or not text:
            return False
        self.problems.append(
            Problem(
                where,
                N_('%(column)s: "%(value)s" must be yes or no'),
                {"column": column, "value": value},
            )
        )
        return False

    def _fill_languages(self, definition: dict[str, Any]) -> None:
        """Texts with no Chinese take the English ones (Chinese is required; English, where
        missing, is shown in Chinese by the engine already)."""
        texts = [definition["title"], *(i["name"] for i in definition["indicators"])]
        for question in definition["questions"]:
            texts.append(question["text"])
            texts += [option["label"] for option in question.get("options", [])]
        if "zh" not in self.languages:
            texts += [definition["intro"], *(q["help"] for q in definition["questions"])]
        filled = 0
        for text in texts:
            if not text["zh"].strip() and text["en"].strip():
                text["zh"] = text["en"]
                filled += 1
        if "zh" not in self.languages and "en" in self.languages:
            self.notes.append(
                Note(N_("the workbook has no Chinese texts: the Chinese form shows the English"))
            )
        elif filled:
            self.notes.append(
                Note(
                    N_("%(count)s texts have no Chinese: the Chinese form shows them in English"),
                    {"count": filled},
                )
            )
        if "en" not in self.languages and "zh" in self.languages:
            self.notes.append(
                Note(N_("the workbook has no English texts: the English form shows the Chinese"))
            )

    def _weight_notes(self, definition: Mapping[str, Any]) -> None:
        scored = [q for q in definition["questions"] if q.get("indicator")]
        indicators = definition["indicators"]
        if not self.weight_column and len(scored) > len({q["indicator"] for q in scored}):
            self.notes.append(
                Note(N_("no weight column: the questions of an indicator weigh the same"))
            )
        if len(indicators) > 1 and not any("weight" in indicator for indicator in indicators):
            self.notes.append(Note(N_("no indicator weights: the indicators weigh the same")))

    # Indicators -------------------------------------------------------------------------

    def _indicators(self, questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.indicator_rows is None:
            return self._inferred_indicators(questions)
        indicators = []
        for row in self.indicator_rows:
            where = f"indicators row {row.number}"
            names = {
                key.split("::", 1)[1]: value
                for key, value in row.cells.items()
                if key.startswith(("label::", "name::"))
            }
            if "label" in row.cells:
                names.setdefault("default", row.cells["label"])
            indicator: dict[str, Any] = {"id": row.cells.get("name"), "name": self._text(names)}
            weight = (
                self._number(row.cells["weight"], where, "weight")
                if "weight" in row.cells
                else None
            )
            if weight is not None:
                indicator["weight"] = weight
            indicators.append(indicator)
            self.where.indicator_rows.append(where)
        declared = {indicator["id"] for indicator in indicators}
        for index, question in enumerate(questions):
            indicator_id = question.get("indicator")
            if indicator_id in self.assumed_indicators and indicator_id not in declared:
                declared.add(indicator_id)
                indicators.append(
                    {"id": indicator_id, "name": self.assumed_indicators[indicator_id]}
                )
                self.where.indicator_rows.append(f"survey row {self.where.question_rows[index]}")
        return indicators

    def _inferred_indicators(self, questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        indicators = []
        seen = set()
        for index, question in enumerate(questions):
            indicator = question.get("indicator")
            if isinstance(indicator, str) and indicator not in seen:
                seen.add(indicator)
                name = self.assumed_indicators.get(indicator, {"zh": indicator, "en": ""})
                indicators.append({"id": indicator, "name": name})
                self.where.indicator_rows.append(f"survey row {self.where.question_rows[index]}")
        return indicators

    def _assumed_indicator(self, group: tuple[Mapping[str, Any], _Row] | None) -> str:
        """The indicator of a scored question that names none: its group's, or "overall"
        outside any group."""
        if group is None:
            indicator_id = DEFAULT_INDICATOR["id"]
            if indicator_id not in self.assumed_indicators:
                self.assumed_indicators[indicator_id] = dict(DEFAULT_INDICATOR["name"])
                self.notes.append(
                    Note(
                        N_(
                            "scored questions outside a group and with no indicator column "
                            'count towards one indicator, "%(indicator)s"'
                        ),
                        {"indicator": indicator_id},
                    )
                )
            return indicator_id
        element, row = group
        indicator_id = _identifier(str(element.get("name", "")), "g_")
        if indicator_id not in self.assumed_indicators:
            name = self._column_text(element, "label")
            if not any(name.values()):
                name = {"zh": indicator_id, "en": ""}
            self.assumed_indicators[indicator_id] = name
            self.notes.append(
                Note(
                    N_(
                        'survey row %(row)s: the group "%(group)s" is the indicator '
                        '"%(indicator)s" of its scored questions'
                    ),
                    {"row": row.number, "group": element.get("name"), "indicator": indicator_id},
                )
            )
        return indicator_id

    # Questions --------------------------------------------------------------------------

    def _elements(self) -> Iterator[_Element]:
        """The survey's elements in order, groups flattened, each with its row, its
        innermost group (with the group's row) and the `relevant` of a group around it
        (with that group's row number)."""
        rows = iter(row for row in self.rows if row.kind != "end group")

        def walk(
            children: list[Mapping[str, Any]],
            group: tuple[Mapping[str, Any], _Row] | None,
            inherited: tuple[str, int] | None,
        ) -> Iterator[_Element]:
            for element in children:
                if element.get("control", {}).get("bodyless"):
                    continue  # pyxform's own metadata group
                row = next(
                    (row for row in rows if row.cells.get("name") == element.get("name")), None
                )
                yield element, row, group, inherited
                if element.get("type") == "group":
                    inner = (element, row) if row is not None else group
                    own = str(element.get("bind", {}).get("relevant") or "")
                    condition = inherited
                    if own and row is not None:
                        if inherited is not None:
                            self.problems.append(
                                Problem(
                                    f"survey row {row.number}",
                                    N_(
                                        '"relevant" on a group inside a group with a '
                                        '"relevant" (row %(row)s) is not supported: a '
                                        "question is shown on one condition"
                                    ),
                                    {"row": inherited[1]},
                                )
                            )
                        condition = (own, row.number)
                    yield from walk(element.get("children", []), inner, condition)

        yield from walk(self.document.get("children", []), None, None)

    def _questions(self) -> list[dict[str, Any]]:
        questions = []
        notes: list[dict[str, str]] = []
        skipped = []
        for element, row, group, inherited in self._elements():
            if row is None or row.kind == "begin group":
                continue
            if row.kind == "metadata":
                skipped.append(str(element.get("name", "")))
                continue
            if row.kind == "note":
                notes.append(self._column_text(element, "label"))
                continue
            question = self._question(element, row, group, inherited)
            if notes:
                question["help"] = {
                    language: "\n".join(
                        text[language] for text in [*notes, question["help"]] if text[language]
                    )
                    for language in LANGUAGES
                }
                notes = []
            questions.append(question)
            self.where.question_rows.append(row.number)
        if skipped:
            self.notes.append(
                Note(N_("skipped, as they show nothing: %(names)s"), {"names": ", ".join(skipped)})
            )
        return questions

    def _question(
        self,
        element: Mapping[str, Any],
        row: _Row,
        group: tuple[Mapping[str, Any], _Row] | None,
        inherited: tuple[str, int] | None,
    ) -> dict[str, Any]:
        where = f"survey row {row.number}"
        bind = element.get("bind", {})
        name = str(element.get("name", ""))
        question_id = name if IDENTIFIER.match(name) else _identifier(name, "q_")
        if question_id != name:
            self.question_ids[name] = question_id
            self.notes.append(
                Note(
                    N_('survey row %(row)s: the name "%(name)s" is the question id "%(id)s"'),
                    {"row": row.number, "name": name, "id": question_id},
                )
            )
        question: dict[str, Any] = {
            "id": question_id,
            "text": self._column_text(element, "label"),
            "help": self._column_text(element, "hint"),
            "required": self._flag(bind.get("required"), where, "required"),
        }
        appraisal_type = str(element.get("appraisal_type", "")).strip()
        options_list: list[int | None] = []
        if row.kind == "select_one":
            question["type"] = self._chosen_type(
                appraisal_type, SELECT_ONE_TYPES, "select_one", where
            )
            question["options"], options_list = self._options(element, question["type"])
            if not appraisal_type:
                options_list = self._numbered_scale(question, options_list, row)
            if question["type"] == "rating":
                question["scale"] = sum(
                    not option.get("not_applicable") for option in question["options"]
                )
        elif row.kind == "select_multiple":
            question["type"] = self._chosen_type(
                appraisal_type, ("multiple_choice",), "select_multiple", where
            )
            question["options"], options_list = self._options(element, question["type"])
        elif row.kind == "integer":
            question.update(self._integer(bind.get("constraint"), appraisal_type, where))
        else:
            question["type"] = self._chosen_type(appraisal_type, TEXT_TYPES, "text", where)
        if element.get("indicator"):
            question["indicator"] = str(element["indicator"])
        elif field_type(question["type"]).scored:
            question["indicator"] = self._assumed_indicator(group)
        if "weight" in element:
            self.weight_column = True
        if element.get("weight") not in (None, ""):
            weight = self._number(element["weight"], where, "weight")
            if weight is not None:
                question["weight"] = weight
        relevant = str(bind.get("relevant") or "")
        if relevant and inherited is not None:
            self.problems.append(
                Problem(
                    where,
                    N_(
                        'both this question and its group (row %(row)s) have a "relevant": a '
                        "question is shown on one condition; set it on the question only"
                    ),
                    {"row": inherited[1]},
                )
            )
        elif relevant or inherited is not None:
            question["condition"] = self._condition(relevant or inherited[0], where)
        self.kinds[str(question["id"])] = row.kind
        self.option_ids[str(question["id"])] = ids = {}
        for option in question.get("options", []):
            name = str(option["id"])
            option["id"] = ids[name] = name if IDENTIFIER.match(name) else _identifier(name, "c_")
        self.where.option_rows.append(options_list)
        return question

    def _numbered_scale(
        self, question: dict[str, Any], option_rows: list[int | None], row: _Row
    ) -> list[int | None]:
        """A single choice whose choices are named by numbers (besides a not-applicable
        one), 2 to 10 of them, none with points, becomes a rating, worst first: the lowest
        number is the worst unless the labels say the highest is (the lowest's label sounds
        good and the highest's bad: "1 = 非常满意 … 5 = 非常不满意"). Returns the options'
        rows in their new order."""
        options = question["options"]
        scored = [
            (index, option)
            for index, option in enumerate(options)
            if not option.get("not_applicable")
        ]
        names = [str(option["id"]) for _, option in scored]
        if not (
            question["type"] == "single_choice"
            and MIN_RATING_SCALE <= len(scored) <= MAX_RATING_SCALE
            and all(name.isascii() and name.isdigit() for name in names)
            and not any("points" in option for option in options)
        ):
            return option_rows
        ordered = sorted(scored, key=lambda entry: int(entry[1]["id"]))

        def negative(option: Mapping[str, Any]) -> bool:
            return any(NEGATIVE_WORDS.search(label) for label in option["label"].values())

        if not negative(ordered[0][1]) and negative(ordered[-1][1]):
            ordered.reverse()
        others = [(i, o) for i, o in enumerate(options) if o.get("not_applicable")]
        question["type"] = "rating"
        question["options"] = [option for _, option in [*ordered, *others]]
        worst, best = ordered[0][1], ordered[-1][1]
        self.notes.append(
            Note(
                N_(
                    "survey row %(row)s: the choices %(worst)s to %(best)s are a rating scale, "
                    "%(worst)s the worst (0 points) and %(best)s the best (100 points)"
                ),
                {"row": row.number, "worst": worst["id"], "best": best["id"]},
            )
        )
        return [option_rows[index] for index, _ in [*ordered, *others]]

    def _chosen_type(
        self, appraisal_type: str, allowed: tuple[str, ...], xlsform_type: str, where: str
    ) -> str:
        """The question type named by the appraisal_type column; by default the first of
        `allowed`."""
        if not appraisal_type:
            return allowed[0]
        if appraisal_type not in allowed:
            self.problems.append(
                Problem(
                    where,
                    N_(
                        'appraisal_type "%(type)s" does not fit a %(xlsform_type)s question '
                        "(use one of: %(allowed)s)"
                    ),
                    {
                        "type": appraisal_type,
                        "xlsform_type": xlsform_type,
                        "allowed": ", ".join(allowed),
                    },
                )
            )
            return allowed[0]
        return appraisal_type

    def _integer(self, constraint: Any, appraisal_type: str, where: str) -> dict[str, Any]:
        match = INTEGER_RANGE.match(str(constraint or ""))
        low, high = (int(match.group(1)), int(match.group(2))) if match else (None, None)
        if (low, high) == (0, 10):
            result: dict[str, Any] = {"type": "scale_0_10"}
        elif low == 1 and high is not None and 2 <= high <= 10:
            result = {"type": "rating", "scale": high}
        else:
            self.problems.append(
                Problem(
                    where,
                    N_(
                        'an integer question needs the constraint ". >= 0 and . <= 10" (a 0–10 '
                        'scale) or ". >= 1 and . <= k" (a rating 1..k, k from 2 to 10)'
                    ),
                )
            )
            return {"type": "rating", "scale": 5}
        if appraisal_type and appraisal_type != result["type"]:
            self.problems.append(
                Problem(
                    where,
                    N_(
                        'appraisal_type "%(type)s" does not fit the constraint '
                        '"%(constraint)s", which makes a %(made)s question'
                    ),
                    {"type": appraisal_type, "constraint": constraint, "made": result["type"]},
                )
            )
        return result

    def _options(
        self, element: Mapping[str, Any], question_type: str
    ) -> tuple[list[dict[str, Any]], list[int | None]]:
        options = []
        rows = []
        list_name = str(element.get("list_name", ""))
        for choice in element.get("choices", []):
            number = self.choice_rows.get((list_name, str(choice.get("name", ""))))
            where = f"choices row {number}" if number else f'choices list "{list_name}"'
            option: dict[str, Any] = {
                "id": choice.get("name"),
                "label": self._column_text(choice, "label"),
            }
            if self._flag(choice.get("not_applicable"), where, "not_applicable"):
                option["not_applicable"] = True
            points = str(choice.get("points", "")).strip()
            if points.lower() == "null":
                option["points"] = None
            elif points and (number_points := self._number(points, where, "points")) is not None:
                option["points"] = number_points
            options.append(option)
            rows.append(number)
        return options, rows

    def _condition(self, relevant: str, where: str) -> dict[str, Any] | None:
        terms = _relevant_terms(relevant)
        if terms is None:
            self.problems.append(
                Problem(
                    where,
                    N_(
                        "relevant \"%(relevant)s\" is not supported: use ${q} = 'x', "
                        "selected(${q}, 'x'), or several of these on one question joined by "
                        '"or"'
                    ),
                    {"relevant": relevant},
                )
            )
            return None
        names = {name for name, _ in terms}
        if len(names) > 1:
            self.problems.append(
                Problem(
                    where,
                    N_('relevant "%(relevant)s" must test one question, not %(count)s'),
                    {"relevant": relevant, "count": len(names)},
                )
            )
            return None
        (written,) = names
        name = self.question_ids.get(written, written)
        values = [value for _, value in terms]
        if self.kinds.get(name) == "integer":
            values = [
                numbered_option_id(int(v)) if (v.isascii() and v.isdigit()) else v for v in values
            ]
        else:
            ids = self.option_ids.get(name, {})
            values = [ids.get(value, value) for value in values]
        return {"question": name, "one_of": values}

    # Problems found by validation, located --------------------------------------------

    def locate(self, problem: Problem) -> Problem:
        """The problem named by sheet and row instead of by its path in the definition."""
        path = problem.path
        question = re.match(r"questions\[(\d+)\](?:\.options\[(\d+)\])?(.*)\Z", path)
        if question:
            index = int(question.group(1))
            where = f"survey row {self.where.question_rows[index]}"
            rest = path[question.end(1) + 1 :].lstrip(".")
            if question.group(2) is not None:
                option = int(question.group(2))
                option_rows = self.where.option_rows[index]
                if option < len(option_rows) and option_rows[option]:
                    where = f"choices row {option_rows[option]}"
                    rest = question.group(3).lstrip(".")
            return _at(where, rest, problem)
        indicator = re.match(r"indicators\[(\d+)\](.*)\Z", path)
        if indicator:
            return _at(
                self.where.indicator_rows[int(indicator.group(1))],
                indicator.group(2).lstrip("."),
                problem,
            )
        for prefix, column in (("code", "form_id"), ("title", "form_title"), ("intro", "intro")):
            if path == prefix or path.startswith(f"{prefix}."):
                return _at("settings", column + path[len(prefix) :], problem)
        if path == "questions":
            return Problem("survey", problem.template, problem.params)
        return problem


def _at(where: str, rest: str, problem: Problem) -> Problem:
    """The problem at `where` (a sheet and row), `rest` the path within it ("text.zh")."""
    return Problem(f"{where}: {rest}" if rest else where, problem.template, problem.params)


def _relevant_terms(relevant: str) -> list[tuple[str, str]] | None:
    """[(question name, value)] of `${q} = 'x' or selected(${q}, 'y') …`; None when the
    expression has any other form."""
    terms = []
    position = 0
    while True:
        match = RELEVANT_TERM.match(relevant, position)
        if match is None:
            return None
        name = match.group("equals") or match.group("selected")
        value = match.group("v1") if match.group("v1") is not None else match.group("n1")
        if match.group("selected"):
            value = match.group("v2")
        terms.append((name, value))
        position = match.end()
        if position == len(relevant):
            return terms
        separator = RELEVANT_OR.match(relevant, position)
        if separator is None:
            return None
        position = separator.end()


# XLSForm export ---------------------------------------------------------------------------

SURVEY_COLUMNS = (
    "type",
    "name",
    "label::Chinese (zh)",
    "label::English (en)",
    "hint::Chinese (zh)",
    "hint::English (en)",
    "required",
    "relevant",
    "appraisal_type",
    "indicator",
    "weight",
)
CHOICE_COLUMNS = (
    "list_name",
    "name",
    "label::Chinese (zh)",
    "label::English (en)",
    "points",
    "not_applicable",
)
INDICATOR_COLUMNS = ("name", "label::Chinese (zh)", "label::English (en)", "weight")
SETTINGS_COLUMNS = (
    "form_id",
    "form_title",
    "form_title::English (en)",
    "intro::Chinese (zh)",
    "intro::English (en)",
    "default_language",
    "clean_text_values",
)


def to_xlsform(definition: Mapping[str, Any], path: PathLike) -> None:
    """Write `definition` as an XLSForm workbook that from_xlsform reads back to the same
    normalised definition (so the same content hash): every choice question as a
    select_one/select_multiple with its own choice list, `appraisal_type` naming the type,
    and an indicators sheet. QuestionnaireError for what XLSForm cannot carry: a question
    named "meta" (pyxform reserves it) or "${" in a text."""
    from openpyxl import Workbook

    normalised = normalise(definition)
    problems = _not_expressible_in_xlsform(normalised)
    if problems:
        raise QuestionnaireError(problems)
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    _append(survey, SURVEY_COLUMNS)
    choices = workbook.create_sheet("choices")
    _append(choices, CHOICE_COLUMNS)
    kinds = {question["id"]: question["type"] for question in normalised["questions"]}
    for question in normalised["questions"]:
        kind = field_type(question["type"])
        if not kind.has_options:
            xlsform_type = "text"
        elif question["type"] == "multiple_choice":
            xlsform_type = f"select_multiple {question['id']}"
        else:
            xlsform_type = f"select_one {question['id']}"
        _append(
            survey,
            (
                xlsform_type,
                question["id"],
                question["text"]["zh"],
                question["text"]["en"],
                question["help"]["zh"],
                question["help"]["en"],
                "yes" if question["required"] else None,
                _relevant(question["condition"], kinds),
                question["type"],
                question["indicator"],
                _number_cell(question["weight"]),
            ),
        )
        position = 0
        for option in question["options"]:
            if not option["not_applicable"]:
                position += 1
            default = None if option["not_applicable"] else kind.default_points(position, question)
            _append(
                choices,
                (
                    question["id"],
                    option["id"],
                    option["label"]["zh"],
                    option["label"]["en"],
                    _points_cell(option["points"], default),
                    "yes" if option["not_applicable"] else None,
                ),
            )
    indicators = workbook.create_sheet(INDICATORS_SHEET)
    _append(indicators, INDICATOR_COLUMNS)
    for indicator in normalised["indicators"]:
        _append(
            indicators,
            (
                indicator["id"],
                indicator["name"]["zh"],
                indicator["name"]["en"],
                _number_cell(indicator["weight"]),
            ),
        )
    settings = workbook.create_sheet("settings")
    _append(settings, SETTINGS_COLUMNS)
    _append(
        settings,
        (
            normalised["code"],
            normalised["title"]["zh"],
            normalised["title"]["en"],
            normalised["intro"]["zh"],
            normalised["intro"]["en"],
            LANGUAGE_COLUMNS["zh"],
            "no",
        ),
    )
    workbook.save(os.fspath(path))


def _not_expressible_in_xlsform(definition: Mapping[str, Any]) -> list[Problem]:
    """What an XLSForm cannot carry: a question named like pyxform's own "meta" group,
    and "${" in a text, which XLSForm reads as a reference to an answer."""
    texts = [("title", definition["title"]), ("intro", definition["intro"])]
    texts += [
        (f"indicators[{index}].name", indicator["name"])
        for index, indicator in enumerate(definition["indicators"])
    ]
    problems = []
    for index, question in enumerate(definition["questions"]):
        path = f"questions[{index}]"
        if question["id"] in XLSFORM_RESERVED_NAMES:
            problems.append(
                Problem(f"{path}.id", N_('"%(id)s" is reserved in XLSForm'), {"id": question["id"]})
            )
        texts += [(f"{path}.text", question["text"]), (f"{path}.help", question["help"])]
        texts += [
            (f"{path}.options[{number}].label", option["label"])
            for number, option in enumerate(question["options"])
        ]
    problems += [
        Problem(
            f"{path}.{language}",
            N_('"${" cannot be written in an XLSForm (it marks a reference)'),
        )
        for path, text in texts
        for language in LANGUAGES
        if "${" in text[language]
    ]
    return problems


def _append(sheet: Any, values: tuple[Any, ...]) -> None:
    sheet.append([None if value == "" else value for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # a text, not a formula


def _points_cell(points: float | None, default: float | None) -> float | str | None:
    """Blank where the import's default gives the same points; "null" for no points where
    the default would give some."""
    if points == default:
        return None
    return "null" if points is None else _number_cell(points)


def _number_cell(number: float) -> float | str:
    """The number, or its exact digits as text where the workbook would round it
    (openpyxl writes 16 significant digits)."""
    return number if float(f"{number:.16g}") == number else repr(number)


def _relevant(condition: Mapping[str, Any] | None, kinds: Mapping[str, str]) -> str | None:
    if condition is None:
        return None
    name = condition["question"]
    if kinds[name] == "multiple_choice":
        terms = [f"selected(${{{name}}}, '{value}')" for value in condition["one_of"]]
    else:
        terms = [f"${{{name}}} = '{value}'" for value in condition["one_of"]]
    return " or ".join(terms)
