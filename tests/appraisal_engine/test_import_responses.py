"""`appraisal import-responses`: paper ballots from CSV and XLSX, checked by the web
form's rules, all or nothing, every problem named with its line and column."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from appraisal_engine.models import (
    Answer,
    AuditEntry,
    CampaignCategory,
    Option,
    Question,
    Response,
)
from appraisal_engine.services import paper_ballots
from appraisal_engine.services.paper_ballots import ballot_nonce
from appraisal_engine.services.questionnaires import store_version

from ..forms.definitions import every_type

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ZONE = ZoneInfo("Asia/Shanghai")
HEADER = "ballot,target,category,overall,attitude,efficiency,integrity"
GOOD = "very_satisfied,satisfied,neutral,not_applicable"


def today() -> date:
    return datetime.now(ZONE).date()


@pytest.fixture
def bureau(session, factories):
    """An open campaign around today: two windows (C1 serves at W1, so did the inactive
    C3), a cadre C2 and a unit U9."""
    unit = factories.unit(code="U9")
    window = factories.service_point(code="W1", unit=unit)
    other = factories.service_point(code="W2", unit=unit)
    factories.cadre(code="C1", unit=unit, service_points=[window])
    factories.cadre(code="C3", unit=unit, service_points=[window], active=False)
    cadre = factories.cadre(code="C2", unit=unit)
    campaign = factories.campaign(
        code="2026",
        targets=[unit, window, other, cadre],
        status="open",
        starts_on=today() - timedelta(days=30),
        ends_on=today() + timedelta(days=30),
    )
    session.commit()
    return campaign


def write(tmp_path, text, name="ballots.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path, rows, name="ballots.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(runner, path, campaign="2026"):
    return runner.invoke(args=["import-responses", campaign, str(path)])


def paper_responses(session):
    session.rollback()
    return session.scalars(
        select(Response).where(Response.channel == "paper").order_by(Response.id)
    ).all()


def stored_answers(session, response):
    """{question key: [(option key or None, text, points)]} of a response."""
    rows = session.execute(
        select(Question.key, Option.key, Answer.value_text, Answer.points)
        .join(Question, Answer.question_id == Question.id)
        .outerjoin(Option, Answer.option_id == Option.id)
        .where(Answer.response_id == response.id)
        .order_by(Answer.id)
    )
    answers: dict[str, list] = {}
    for question, option, text, points in rows:
        answers.setdefault(question, []).append((option, text, points))
    return answers


def test_sample_file_imports_into_the_demo_campaign(runner, session):
    assert runner.invoke(args=["demo"]).exit_code == 0
    result = run(runner, EXAMPLES / "paper-ballots.csv", campaign="demo")
    assert result.exit_code == 0, result.output
    assert "imported 9 paper ballot(s) into campaign demo: residents 6, grassroots 2" in (
        result.output
    )
    responses = [r for r in paper_responses(session) if r.nonce]
    assert len(responses) == 9
    assert {(r.status, r.link_id, r.duplicate_hash) for r in responses} == {("counted", None, None)}
    assert len({r.receipt_code for r in responses}) == 9
    assert responses[0].served_by.code == "C007"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "responses.import")).one()
    assert entry.details["count"] == 9
    assert entry.details["file"] == "paper-ballots.csv"
    assert len(entry.details["sha256"]) == 64


def test_csv_ballots_are_stored_with_options_points_and_texts(runner, session, bureau, tmp_path):
    day = today() - timedelta(days=3)
    path = write(
        tmp_path,
        "ballot,target,category,date,served_by,language,overall,attitude,efficiency,"
        "integrity,comment,phone\n"
        f"B-1,service_point:W1,residents,{day.isoformat()},C1,en,{GOOD},"
        '"排队久, 但很耐心",138 1234 5678\n'
        "B-2,cadre:C2,residents,,,,very_dissatisfied,dissatisfied,satisfied,very_satisfied,,\n",
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "imported 2 paper ballot(s) into campaign 2026: residents 2"
    first, second = paper_responses(session)
    assert first.nonce == ballot_nonce(bureau.id, "B-1") == f"paper:{bureau.id}:B-1"
    assert (first.channel, first.status, first.link_id, first.duplicate_hash) == (
        "paper",
        "counted",
        None,
        None,
    )
    assert (first.flag_reasons, first.duration_ms) == ([], None)
    assert first.answers_fingerprint is not None
    assert first.target.service_point.code == "W1"
    assert first.served_by.code == "C1"
    assert first.language == "en"
    assert first.submitted_at == datetime.combine(day, time(12), ZONE).astimezone(UTC)
    assert first.questionnaire_version_id == next(
        c.questionnaire_version_id for c in bureau.categories if c.category == "residents"
    )
    assert len(first.receipt_code) == 10 and first.receipt_code != second.receipt_code
    assert stored_answers(session, first) == {
        "overall": [("very_satisfied", None, 100.0)],
        "attitude": [("satisfied", None, 75.0)],
        "efficiency": [("neutral", None, 50.0)],
        "integrity": [("not_applicable", None, None)],
        "comment": [(None, "排队久, 但很耐心", None)],
        "phone": [(None, "13812345678", None)],
    }
    assert second.target.cadre.code == "C2"
    assert (second.served_by_cadre_id, second.language) == (None, "zh")
    # No date: today, at noon or at the time of the import if that is earlier.
    assert second.submitted_at <= datetime.now(UTC)
    assert second.submitted_at.astimezone(ZONE).date() == today()
    assert stored_answers(session, second)["overall"] == [("very_dissatisfied", None, 0.0)]
    entry = session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "responses.import",
        "campaign",
        str(bureau.id),
    )
    assert entry.details["by_category"] == {"residents": 2}
    assert entry.details["channel"] == "paper"


def test_xlsx_ballots_with_number_and_date_cells(runner, session, bureau, tmp_path):
    day = today() - timedelta(days=1)
    header = ["Ballot", "Target", "Category", "Date", *HEADER.split(",")[3:]]
    good = [1001, "service_point:W2", "residents", datetime.combine(day, time()), *GOOD.split(",")]
    # A grassroots ballot needs the grassroots questions, which have no column here.
    refused = run(runner, write_xlsx(tmp_path, [header, good, [1002, "unit:U9", "Grassroots"]]))
    assert refused.exit_code == 1
    assert (
        'error: ballots.xlsx, line 1: the column "attitude_courtesy" is missing: ballots of the '
        "category grassroots must answer that question (1 ballot(s), the first on line 3)"
    ) in refused.output
    assert 'ballots.xlsx, line 3, column E "overall": no answer' in refused.output
    result = run(runner, write_xlsx(tmp_path, [header, good]))
    assert result.exit_code == 0, result.output
    (response,) = paper_responses(session)
    assert response.nonce == f"paper:{bureau.id}:1001"
    assert response.submitted_at == datetime.combine(day, time(12), ZONE).astimezone(UTC)
    assert stored_answers(session, response)["efficiency"] == [("neutral", None, 50.0)]


def test_grassroots_and_service_target_ballots(runner, session, bureau, tmp_path):
    questions = (
        "overall,attitude_courtesy,attitude_patience,efficiency_speed,efficiency_coordination,"
        "integrity_clean,integrity_rules,work_style_responsibility,work_style_discipline"
    )
    answers = ",".join(["satisfied"] * 4 + ["not_applicable"] + ["very_satisfied"] * 4)
    path = write(
        tmp_path,
        f"ballot,target,category,{questions}\n"
        f"G1,unit:U9,grassroots,{answers}\n"
        f"G2,cadre:C2,grassroots,{answers}\n"
        f"S1,unit:U9,service_targets,{answers}\n",
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "grassroots 2, service_targets 1" in result.output
    responses = paper_responses(session)
    assert [r.category for r in responses] == ["grassroots", "grassroots", "service_targets"]
    assert stored_answers(session, responses[2])["efficiency_coordination"] == [
        ("not_applicable", None, None)
    ]


@pytest.fixture
def conditional(session, bureau):
    """The residents of the campaign answer tests/forms' every_type questionnaire: a
    comment "reason" shown after a bad "overall", a multiple choice "problems" and a
    required "rude_detail" shown when "rude" is among the problems."""
    version = store_version(session, every_type(), publish=True)
    category = session.get(CampaignCategory, (bureau.id, "residents"))
    category.questionnaire_version_id = version.id
    session.commit()
    return bureau


CONDITIONAL_HEADER = "ballot,target,category,overall,reason,problems,rude_detail,speed,channel"


def test_multiple_choice_and_display_conditions(runner, session, conditional, tmp_path):
    path = write(
        tmp_path,
        CONDITIONAL_HEADER + "\n"
        "M1,service_point:W1,residents,dissatisfied,太慢,queue; rude,骂人了,v4,window\n"
        "M2,service_point:W1,residents,satisfied,写了也不算,queue,不算,,\n"
        "M3,service_point:W1,residents,satisfied,,papers；queue,,v1,unsure\n",
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "2 answer(s) to questions whose condition did not hold were left out" in result.output
    first, second, third = paper_responses(session)
    assert stored_answers(session, first) == {
        "overall": [("dissatisfied", None, 25.0)],
        "reason": [(None, "太慢", None)],
        "speed": [("v4", None, 100.0)],
        "channel": [("window", None, 80.0)],
        "problems": [("queue", None, None), ("rude", None, None)],
        "rude_detail": [(None, "骂人了", None)],
    }
    # "reason" and "rude_detail" were not shown to M2: left out, as on the web form.
    assert stored_answers(session, second) == {
        "overall": [("satisfied", None, 75.0)],
        "problems": [("queue", None, None)],
    }
    assert stored_answers(session, third)["problems"] == [
        ("queue", None, None),
        ("papers", None, None),
    ]
    assert stored_answers(session, third)["channel"] == [("unsure", None, None)]


def test_conditions_make_questions_required(runner, session, conditional, tmp_path):
    path = write(
        tmp_path,
        CONDITIONAL_HEADER + "\n"
        "M1,service_point:W1,residents,satisfied,,rude,,,\n"
        "M2,service_point:W1,residents,satisfied,,queue;nope,,,\n"
        "M3,service_point:W1,residents,satisfied,,,,v9,window;online\n",
    )
    result = run(runner, path)
    assert result.exit_code == 1
    for message in (
        'line 2, column G "rude_detail": no answer, but this question must be answered',
        'line 3, column F "problems": "nope" is not an option of this question; the options '
        "are queue, rude, papers",
        'line 4, column H "speed": "v9" is not an option of this question; the options are '
        "v1, v2, v3, v4",
        'line 4, column I "channel": only one option may be chosen: this is not a '
        "multiple-choice question",
    ):
        assert f"error: ballots.csv, {message}" in result.output, result.output
    assert paper_responses(session) == []


def bad_cases():
    past = today() - timedelta(days=31)
    future = today() + timedelta(days=1)
    target = "service_point:W1,residents"
    return [
        pytest.param(
            "ballot,target,overall\nB1,unit:U9,satisfied\n",
            ['ballots.csv, line 1: the column "category" is missing from the header row'],
            id="missing-column",
        ),
        pytest.param(
            HEADER + ",overal\n" + f"B1,{target},{GOOD},\n",
            ['ballots.csv, column H "overal": unknown column "overal"; the columns are ballot,'],
            id="unknown-column",
        ),
        pytest.param(
            HEADER + f"\n,{target},{GOOD}\nB 2,{target},{GOOD}\n",
            [
                'ballots.csv, line 2, column A "ballot": the ballot number is empty',
                'ballots.csv, line 3, column A "ballot": "B 2" is not a valid ballot number',
            ],
            id="bad-ballot",
        ),
        pytest.param(
            HEADER + f"\nB1,{target},{GOOD}\nB2,{target},{GOOD}\nB1,{target},{GOOD}\n",
            [
                'ballots.csv, line 4, column A "ballot": the ballot "B1" appears again (first '
                "on line 2)"
            ],
            id="ballot-twice-in-the-file",
        ),
        pytest.param(
            HEADER + f"\nB1,service_point:W9,residents,{GOOD}\nB2,W1,residents,{GOOD}\n"
            f"B3,person:C1,residents,{GOOD}\nB4,,residents,{GOOD}\n"
            f"B5,cadre:C1,residents,{GOOD}\n",
            [
                'line 2, column B "target": "service_point:W9" is not a target of campaign 2026',
                'line 3, column B "target": "W1" is not a target; write "service_point:W1"',
                'line 4, column B "target": "person" is not a kind of target; use unit, '
                "service_point or cadre",
                'line 5, column B "target": the target is empty; write <kind>:<code>',
                'line 6, column B "target": "cadre:C1" is not a target of campaign 2026',
            ],
            id="bad-target",
        ),
        pytest.param(
            HEADER + f"\nB1,unit:U9,citizens,{GOOD}\nB2,unit:U9,,{GOOD}\n",
            [
                'line 2, column C "category": "citizens" is not a category; use residents, '
                "grassroots, service_targets",
                'line 3, column C "category": the category is empty',
            ],
            id="bad-category",
        ),
        pytest.param(
            "ballot,target,category,date,overall,attitude,efficiency,integrity\n"
            f"B1,{target},15.3.2026,{GOOD}\nB2,{target},{past.isoformat()},{GOOD}\n"
            f"B3,{target},{future.isoformat()},{GOOD}\nB4,{target},2026-02-30,{GOOD}\n",
            [
                'line 2, column D "date": "15.3.2026" is not a date; write YYYY-MM-DD',
                f'line 3, column D "date": {past.isoformat()} is outside the campaign period',
                f'line 4, column D "date": {future.isoformat()} is after today',
                'line 5, column D "date": "2026-02-30" is not a date',
            ],
            id="bad-date",
        ),
        pytest.param(
            "ballot,target,category,served_by,overall,attitude,efficiency,integrity\n"
            f"B1,service_point:W1,residents,C2,{GOOD}\n"
            f"B2,service_point:W1,residents,C3,{GOOD}\n"
            f"B3,cadre:C2,residents,C1,{GOOD}\n"
            f"B4,service_point:W2,residents,C1,{GOOD}\n",
            [
                'line 2, column D "served_by": "C2" is not a cadre serving at '
                "service_point:W1; those who do: C1",
                'line 3, column D "served_by": "C3" is not a cadre serving at '
                "service_point:W1; those who do: C1",
                'line 4, column D "served_by": only a ballot for a service point names the '
                "cadre who served",
                'line 5, column D "served_by": "C1" is not a cadre serving at '
                "service_point:W2; no cadre is recorded as serving there",
            ],
            id="bad-served-by",
        ),
        pytest.param(
            "ballot,target,category,language,overall,attitude,efficiency,integrity\n"
            f"B1,{target},fr,{GOOD}\n",
            ['line 2, column D "language": "fr" is not a language; use zh or en'],
            id="bad-language",
        ),
        pytest.param(
            HEADER + f"\nB1,{target},happy,satisfied,,not_applicable\n",
            [
                'line 2, column D "overall": "happy" is not an option of this question; the '
                "options are very_dissatisfied, dissatisfied, neutral, satisfied, "
                "very_satisfied",
                'line 2, column F "efficiency": no answer, but this question must be answered',
            ],
            id="bad-answers",
        ),
        pytest.param(
            HEADER + ",phone,comment,attitude_courtesy\n"
            f"B1,{target},{GOOD},12345,{'长' * 2001},satisfied\n",
            [
                'line 2, column H "phone": Please enter a valid mainland China mobile number',
                'line 2, column I "comment": Please write at most 2000 characters.',
                'line 2, column J "attitude_courtesy": the residents questionnaire has no '
                'question "attitude_courtesy"; leave this cell empty',
            ],
            id="bad-texts-and-a-question-of-another-category",
        ),
        pytest.param(
            "ballot,target,category,overall,attitude,efficiency\n"
            "B1,service_point:W1,residents,satisfied,satisfied,satisfied\n"
            "B2,service_point:W1,residents,satisfied,satisfied,satisfied\n",
            [
                'ballots.csv, line 1: the column "integrity" is missing: ballots of the '
                "category residents must answer that question (2 ballot(s), the first on line 2)"
            ],
            id="required-question-without-a-column",
        ),
        pytest.param(
            HEADER + f"\nB1,{target},{GOOD},extra\n",
            ["ballots.csv, line 2, column H: a value stands beyond the last header"],
            id="value-beyond-header",
        ),
        pytest.param(
            HEADER + "\n", ["ballots.csv: the file has a header row but no data rows"], id="no-rows"
        ),
    ]


@pytest.mark.parametrize(("text", "messages"), bad_cases())
def test_bad_file_is_refused_with_line_and_column_and_writes_nothing(
    runner, session, bureau, tmp_path, text, messages
):
    path = write(tmp_path, text)
    result = run(runner, path)
    assert result.exit_code == 1, result.output
    for message in messages:
        prefix = "" if message.startswith("ballots.csv") else "ballots.csv, "
        assert f"error: {prefix}{message}" in result.output, result.output
    assert "nothing was imported" in result.output
    assert paper_responses(session) == []
    assert session.scalars(select(AuditEntry)).all() == []


def test_good_rows_are_not_written_when_another_row_is_bad(runner, session, bureau, tmp_path):
    rows = [f"B{n},service_point:W1,residents,{GOOD}" for n in range(1, 6)]
    rows.insert(3, "B9,service_point:W1,residents,happy,satisfied,neutral,satisfied")
    rows.append("B10,unit:U0,residents," + GOOD)
    result = run(runner, write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n"))
    assert result.exit_code == 1
    assert 'line 5, column D "overall": "happy"' in result.output
    assert 'line 8, column B "target": "unit:U0"' in result.output
    assert "nothing was imported (2 problem(s))" in result.output
    assert paper_responses(session) == []


def test_a_ballot_cannot_be_imported_twice(runner, session, bureau, factories, tmp_path):
    first = write(tmp_path, HEADER + f"\nB1,unit:U9,residents,{GOOD}\n", name="first.csv")
    assert run(runner, first).exit_code == 0
    again = write(
        tmp_path,
        HEADER + f"\nB2,unit:U9,residents,{GOOD}\nB1,service_point:W1,residents,{GOOD}\n",
    )
    result = run(runner, again)
    assert result.exit_code == 1
    assert (
        'error: ballots.csv, line 3, column A "ballot": the ballot "B1" was imported into '
        "campaign 2026 before"
    ) in result.output
    assert [r.nonce for r in paper_responses(session)] == [f"paper:{bureau.id}:B1"]
    # Ballot numbers are per campaign: another campaign takes "B1".
    factories.campaign(
        code="other",
        targets=[bureau.targets[0].unit],
        status="open",
        starts_on=today() - timedelta(days=1),
        ends_on=today(),
    )
    session.commit()
    assert run(runner, first, campaign="other").exit_code == 0
    assert len(paper_responses(session)) == 2


def test_ballots_imported_while_the_file_was_checked_are_refused(
    app, runner, session, bureau, tmp_path, monkeypatch
):
    """Another import commits ballot B1 after this one checked the file and before it
    took the write lock: the check is made again under the lock, and names B1."""
    check = paper_ballots._check

    def check_then_someone_imports(*args, **kwargs):
        result = check(*args, **kwargs)
        if not session.scalar(select(func.count()).select_from(Response)):
            target = bureau.targets[0]
            version = bureau.categories[0].questionnaire_version_id
            session.add(
                Response(
                    campaign_id=bureau.id,
                    campaign_target_id=target.id,
                    category=bureau.categories[0].category,
                    questionnaire_version_id=version,
                    channel="paper",
                    receipt_code="RACE000001",
                    nonce=ballot_nonce(bureau.id, "B1"),
                )
            )
            session.commit()
        return result

    monkeypatch.setattr(paper_ballots, "_check", check_then_someone_imports)
    path = write(tmp_path, HEADER + f"\nB1,unit:U9,residents,{GOOD}\nB2,unit:U9,residents,{GOOD}\n")
    result = run(runner, path)
    assert result.exit_code == 1
    assert 'line 2, column A "ballot": the ballot "B1" was imported' in result.output
    assert [r.receipt_code for r in paper_responses(session)] == ["RACE000001"]


@pytest.mark.parametrize("status", ["draft", "closed", "finalised"])
def test_only_an_open_campaign_takes_ballots(runner, session, bureau, tmp_path, status):
    bureau.status = status
    session.commit()
    result = run(runner, write(tmp_path, HEADER + f"\nB1,unit:U9,residents,{GOOD}\n"))
    assert result.exit_code == 1
    assert (
        f"error: campaign '2026' is {status}; only an open campaign accepts responses"
        in result.output
    )
    assert paper_responses(session) == []


def test_a_category_the_campaign_does_not_use(runner, session, bureau, tmp_path):
    session.delete(session.get(CampaignCategory, (bureau.id, "service_targets")))
    session.commit()
    result = run(runner, write(tmp_path, HEADER + f"\nB1,unit:U9,service_targets,{GOOD}\n"))
    assert result.exit_code == 1
    assert (
        'line 2, column C "category": campaign 2026 has no questionnaire for the category '
        "service_targets"
    ) in result.output


def test_unknown_campaign_and_unreadable_files(runner, bureau, tmp_path):
    path = write(tmp_path, HEADER + f"\nB1,unit:U9,residents,{GOOD}\n")
    unknown = run(runner, path, campaign="nope")
    assert unknown.exit_code == 1
    assert "error: no campaign 'nope'" in unknown.output
    missing = run(runner, tmp_path / "missing.csv")
    assert missing.exit_code == 1
    assert "missing.csv: cannot be read" in missing.output
    other = run(runner, write(tmp_path, "x", name="ballots.txt"))
    assert other.exit_code == 1
    assert "ballots.txt: must be a .csv or .xlsx file" in other.output


def test_gb18030_csv_with_encoding_option(runner, session, bureau, tmp_path):
    path = write(
        tmp_path,
        HEADER + f",comment\nB1,unit:U9,residents,{GOOD},窗口服务很好\n",
        encoding="gb18030",
    )
    assert run(runner, path).exit_code == 1
    result = runner.invoke(args=["import-responses", "2026", str(path), "--encoding", "gb18030"])
    assert result.exit_code == 0, result.output
    (response,) = paper_responses(session)
    assert stored_answers(session, response)["comment"] == [(None, "窗口服务很好", None)]


def test_many_ballots_in_several_batches(runner, session, bureau, tmp_path):
    options = ["very_dissatisfied", "dissatisfied", "neutral", "satisfied", "very_satisfied"]
    count = paper_ballots.BATCH_SIZE + 150
    lines = [HEADER + ",comment"]
    for n in range(count):
        answers = ",".join(options[(n + k) % 5] for k in range(3))
        lines.append(f"N{n},service_point:W1,residents,{answers},not_applicable,ballot {n}")
    result = run(runner, write(tmp_path, "\n".join(lines) + "\n"))
    assert result.exit_code == 0, result.output
    assert f"imported {count} paper ballot(s)" in result.output
    session.rollback()
    rows = session.execute(
        select(Response.nonce, Answer.value_text)
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.channel == "paper", Answer.value_text.is_not(None))
    ).all()
    assert len(rows) == count
    assert all(nonce.endswith(f":N{text.split()[1]}") for nonce, text in rows)
    assert session.scalar(select(func.count()).select_from(Answer)) == count * 5


def use_questionnaire(session, campaign, questions):
    """Let the campaign's residents answer a questionnaire of `questions`."""
    definition = every_type()
    definition["code"] = "custom"
    definition["questions"] = questions
    version = store_version(session, definition, publish=True)
    session.get(CampaignCategory, (campaign.id, "residents")).questionnaire_version_id = version.id
    session.commit()


def test_question_ids_in_capitals_and_ids_that_name_a_fixed_column(
    runner, session, bureau, tmp_path
):
    question = {**every_type()["questions"][0], "id": "Overall_Q"}
    use_questionnaire(session, bureau, [question])
    path = write(tmp_path, "ballot,target,category,Overall_Q\nB1,unit:U9,residents,satisfied\n")
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    (response,) = paper_responses(session)
    assert stored_answers(session, response) == {"Overall_Q": [("satisfied", None, 75.0)]}

    use_questionnaire(session, bureau, [{**question, "id": "date"}])
    result = run(runner, write(tmp_path, "ballot,target,category,date\nB2,unit:U9,residents,\n"))
    assert result.exit_code == 1
    assert (
        'error: ballots.csv: the residents questionnaire has a question "date", a name this '
        "file needs for a column of its own"
    ) in result.output


def test_the_database_refuses_a_ballot_the_check_missed(
    runner, session, bureau, tmp_path, monkeypatch
):
    """Were the check ever to miss a stored ballot (two imports on PostgreSQL, which has
    no database-wide write lock), the unique nonce refuses it and nothing is written."""
    first = write(tmp_path, HEADER + f"\nB1,unit:U9,residents,{GOOD}\n", name="first.csv")
    assert run(runner, first).exit_code == 0
    monkeypatch.setattr(paper_ballots, "_already_imported", lambda session, nonces: set())
    rows = [f"B{n},unit:U9,residents,{GOOD}" for n in range(2, 2 + paper_ballots.BATCH_SIZE)]
    path = write(tmp_path, HEADER + "\n" + "\n".join([*rows, f"B1,cadre:C2,residents,{GOOD}"]))
    result = run(runner, path)
    assert result.exit_code == 1
    assert "error: the ballots could not be stored; nothing was imported" in result.output
    assert [r.nonce for r in paper_responses(session)] == [f"paper:{bureau.id}:B1"]
    assert session.scalar(select(func.count()).select_from(Answer)) == 4
