"""`appraisal import-questionnaire` and `export-questionnaire`."""

import json
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from appraisal_engine.models import AuditEntry, QuestionnaireVersion
from forms.schema import content_hash
from forms.standard import residents_window

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def imported(result):
    assert result.exit_code == 0, result.output
    code = re.search(r"^code: (\S+)$", result.output, re.MULTILINE).group(1)
    number = int(re.search(r"^version: (\d+)", result.output, re.MULTILINE).group(1))
    digest = re.search(r"^content hash: ([0-9a-f]{64})$", result.output, re.MULTILINE).group(1)
    return code, number, digest


def test_json_import_publish_export_round_trip(runner, session, tmp_path):
    code, number, digest = imported(
        runner.invoke(
            args=["import-questionnaire", str(EXAMPLES / "questionnaire.json"), "--publish"]
        )
    )
    assert (code, number) == ("residents-window", 1)
    assert digest == content_hash(residents_window())
    exported = tmp_path / "out.json"
    result = runner.invoke(args=["export-questionnaire", code, "-o", str(exported)])
    assert result.exit_code == 0, result.output
    assert json.loads(exported.read_text(encoding="utf-8"))["format"] == "appraisal-questionnaire/1"
    again = imported(runner.invoke(args=["import-questionnaire", str(exported), "--publish"]))
    assert again == (code, 1, digest), "same content: same version and hash"


def test_xlsform_import_and_export(runner, session, tmp_path):
    code, number, digest = imported(
        runner.invoke(
            args=["import-questionnaire", str(EXAMPLES / "questionnaire-xlsform.xlsx"), "--publish"]
        )
    )
    exported = tmp_path / "out.xlsx"
    assert runner.invoke(args=["export-questionnaire", code, "-o", str(exported)]).exit_code == 0
    sheets = load_workbook(exported).sheetnames
    assert "survey" in sheets and "choices" in sheets
    assert imported(runner.invoke(args=["import-questionnaire", str(exported), "--publish"])) == (
        code,
        number,
        digest,
    )


def test_draft_import_has_no_hash_until_published(runner):
    result = runner.invoke(args=["import-questionnaire", str(EXAMPLES / "questionnaire.json")])
    assert result.exit_code == 0
    assert "version: 1 (draft)" in result.output
    assert f"content hash: {content_hash(residents_window())} (recorded when published)" in (
        result.output
    )


def test_unsupported_xlsform_type_is_refused_naming_the_row(runner, session, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    for row in (
        ["type", "name", "label::Chinese (zh)", "label::English (en)"],
        ["select_one sat", "overall", "总体满意度", "Overall"],
        ["geopoint", "where", "位置", "Where"],
    ):
        survey.append(row)
    choices = workbook.create_sheet("choices")
    for row in (
        ["list_name", "name", "label::Chinese (zh)", "label::English (en)"],
        ["sat", "bad", "不满意", "Bad"],
        ["sat", "good", "满意", "Good"],
    ):
        choices.append(row)
    workbook.create_sheet("settings").append(["form_id", "form_title"])
    workbook["settings"].append(["geo", "位置"])
    path = tmp_path / "geo.xlsx"
    workbook.save(path)
    result = runner.invoke(args=["import-questionnaire", str(path)])
    assert result.exit_code == 1
    assert "row 3" in result.output and "geopoint" in result.output
    assert session.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 0


def test_export_of_unknown_questionnaire_fails_clearly(runner, tmp_path):
    result = runner.invoke(args=["export-questionnaire", "nope", "-o", str(tmp_path / "x.json")])
    assert result.exit_code == 1
    assert "no questionnaire 'nope'" in result.output


def test_a_standard_xlsform_import_prints_the_defaults_assumed(runner, session, tmp_path):
    from tests.forms.xlsforms import office_form

    result = runner.invoke(
        args=["import-questionnaire", str(office_form(tmp_path / "window.xlsx")), "--publish"]
    )
    code, number, _digest = imported(result)
    assert (code, number) == ("window", 1)
    assert (
        'assumed: no form_id in a settings sheet: the code is "window", from the file name'
        in result.output.splitlines()
    )
    assert "assumed: survey row 2: the choices 1 to 5 are a rating scale" in result.output


def test_an_import_is_audited_once_with_its_file_and_hash(runner, session):
    """The use case records the import; the command does not record it again."""
    code, number, digest = imported(
        runner.invoke(
            args=["import-questionnaire", str(EXAMPLES / "questionnaire.json"), "--publish"]
        )
    )
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "questionnaire.import"))
    assert entry.actor.startswith("cli") and entry.user_id is None
    assert entry.details == {
        "code": code,
        "version": number,
        "file": "questionnaire.json",
        "content_hash": digest,
    }
