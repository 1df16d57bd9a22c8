"""The `appraisal` command: Flask's CLI bound to the app factory, plus our commands."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forms.interchange import read_questionnaire_file, write_questionnaire_file
from forms.problems import Note
from forms.schema import QuestionnaireError, content_hash

from . import create_app
from .db import begin_write, get_database, get_session
from .migrate import current_revision, head_revision, new_revision, upgrade
from .models import Campaign, Questionnaire, QuestionnaireVersion, ScoringRun
from .queries.campaigns import campaign_by_code, campaign_status
from .services.accounts import AccountError, create_user
from .services.audit import cli_actor, record
from .services.integrity import (
    ResultTampered,
    finalised_input_problems,
    run_problems,
    walk_audit_chain,
)
from .services.org_import import import_org
from .services.paper_ballots import CampaignNotAccepting, import_paper_ballots
from .services.printing import write_print_files
from .services.questionnaires import definition_of, import_questionnaire
from .services.tabular import InputFileError


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


MAX_PROBLEMS_SHOWN = 100


def report_problems(error: InputFileError) -> NoReturn:
    """Print an input file's problems (the first hundred) and exit with status 1."""
    for problem in error.problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"error: {problem}", err=True)
    hidden = len(error.problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        click.echo(f"… and {hidden} more problem(s) like these", err=True)
    click.echo(f"nothing was imported ({len(error.problems)} problem(s))", err=True)
    sys.exit(1)


def require_schema() -> None:
    """Stop with a clear message when the database is not at the current schema."""
    with get_database().engine.connect() as connection:
        revision = current_revision(connection)
    if revision != head_revision():
        _fail("the database schema is not up to date; run `appraisal init-db` first")


def output_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The `-o/--output FILE` option of the commands that write a document."""
    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help=help_text,
    )


def campaign_or_fail(session: Session, code: str) -> Campaign:
    campaign = session.scalar(campaign_by_code(code))
    if campaign is None:
        _fail(f"no campaign {code!r}")
    return campaign


def run_or_fail(run: ScoringRun | None, code: str) -> ScoringRun:
    if run is None:
        _fail(f"campaign {code!r} has no scoring run yet: run `appraisal score` first")
    return run


def write_or_fail(output: Path, pieces: Iterable[bytes], *, private: bool = False) -> None:
    """Write `pieces` to `output` whole or not at all: into a temporary file beside it,
    flushed to disk and then renamed over `output`, so a full disk, an error or Ctrl-C
    never leaves half a document. A private file (passwords) is readable by its owner
    only; another gets the usual permissions."""
    try:
        descriptor, name = tempfile.mkstemp(
            dir=output.parent, prefix=f".{output.name}.", suffix=".partial"
        )
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror}")
    partial = Path(name)
    try:
        with open(descriptor, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            partial.chmod(0o666 & ~umask)
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        _fail(f"cannot write {output}: {error.strerror}")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def record_download(session: Session, object_type: str, object_id: int, **details: object) -> None:
    """Audit a document the command wrote, in a write transaction of its own."""
    begin_write(session)
    record(
        session,
        "download",
        actor=cli_actor(),
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
    session.commit()


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the schema, or upgrade it to the current version."""
    before, after = upgrade(get_database().engine)
    if before == after:
        click.echo(f"database schema is up to date (revision {after})")
    elif before is None:
        click.echo(f"database schema created (revision {after})")
    else:
        click.echo(f"database schema upgraded from revision {before} to {after}")


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "leader", "cadre"]))
@click.option("--cadre", "cadre_code", help="the cadre's code (role cadre)")
@click.option("--unit", "unit_code", help="limit a leader to this unit and the units below it")
@with_appcontext
def create_user_command(
    username: str, role: str, cadre_code: str | None, unit_code: str | None
) -> None:
    """Add a user. The password comes from APPRAISAL_PASSWORD or a prompt."""
    require_schema()
    password = os.environ.get("APPRAISAL_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            _fail("no password: set APPRAISAL_PASSWORD, or run in a terminal to be asked")
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    session = get_session()
    begin_write(session)
    try:
        user = create_user(
            session,
            username=username,
            password=password,
            role=role,
            cadre_code=cadre_code,
            unit_code=unit_code,
            by=cli_actor(),
        )
    except AccountError as error:
        session.rollback()
        _fail(str(error))
    session.commit()
    click.echo(f"created {role} {user.username}")


@click.command("create-cadre-accounts")
@click.option("--unit", "unit_code", help="only the cadres of this unit and the units below it")
@output_option("sheet of the new accounts and their temporary passwords (.xlsx or .csv)")
@with_appcontext
def create_cadre_accounts_command(unit_code: str | None, output: Path) -> None:
    """Give every active cadre without an account one, named by the cadre's code, with a
    temporary password; write them to a sheet to print and hand over (readable by you
    only). Nothing is created if the sheet cannot be written."""
    from .models import Unit
    from .queries.scope import unit_subtree
    from .services.accounts import account_sheet, create_cadre_accounts

    require_schema()
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        _fail("the output file must end in .xlsx or .csv")
    session = get_session()
    begin_write(session)
    unit_ids = None
    if unit_code:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            _fail(f"no unit has the code {unit_code!r}")
        unit_ids = set(session.scalars(unit_subtree(unit.id)))
    made = create_cadre_accounts(session, unit_ids)
    if not made:
        session.rollback()
        click.echo("every active cadre has an account already; nothing was written")
        return
    try:
        write_or_fail(output, [account_sheet(made, fmt)], private=True)
    except SystemExit:
        session.rollback()
        raise
    for user, _password in made:
        record(
            session,
            "user.create",
            actor=cli_actor(),
            object_type="user",
            object_id=user.id,
            details={"username": user.username, "role": "cadre", "sheet": str(output)},
        )
    session.commit()
    click.echo(f"created {len(made)} cadre accounts; their temporary passwords are in {output}")


@click.command("import-org")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    help="of a CSV file; gb18030 for one saved by Excel on a Chinese system",
)
@with_appcontext
def import_org_command(file: Path, encoding: str) -> None:
    """Import units, service points and cadres from a CSV or XLSX file (all or nothing)."""
    require_schema()
    session = get_session()
    begin_write(session)
    try:
        summary = import_org(session, file, encoding=encoding, by=cli_actor())
    except InputFileError as error:
        session.rollback()
        report_problems(error)
    session.commit()
    click.echo(summary.as_text())


@click.command("import-responses")
@click.argument("campaign_code", metavar="CAMPAIGN")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    help="of a CSV file; gb18030 for one saved by Excel on a Chinese system",
)
@with_appcontext
def import_responses_command(campaign_code: str, file: Path, encoding: str) -> None:
    """Import paper ballots into an open campaign from a CSV or XLSX file (all or nothing)."""
    require_schema()
    session = get_session()
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    for _attempt in range(3):
        try:
            summary = import_paper_ballots(
                session, get_database(), campaign_code, file, zone=zone, encoding=encoding
            )
        except InputFileError as error:
            session.rollback()
            report_problems(error)
        except CampaignNotAccepting as error:
            session.rollback()
            _fail(str(error))
        except IntegrityError:
            # Another import stored one of these ballots meanwhile (the next check names
            # it), or a receipt code was drawn twice (the next attempt draws others).
            session.rollback()
            continue
        break
    else:
        _fail("the ballots could not be stored; nothing was imported")
    record(
        session,
        "responses.import",
        actor=cli_actor(),
        object_type="campaign",
        object_id=summary.campaign_id,
        details={
            "campaign": summary.campaign,
            "channel": "paper",
            "file": summary.file,
            "sha256": summary.sha256,
            "count": summary.count,
            "by_category": dict(summary.by_category),
        },
    )
    session.commit()
    click.echo(summary.as_text())


@click.command("import-questionnaire")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="publish the imported version at once")
@with_appcontext
def import_questionnaire_command(file: Path, publish: bool) -> None:
    """Import a questionnaire from JSON (appraisal-questionnaire/1) or an XLSForm .xlsx."""
    require_schema()
    session = get_session()
    begin_write(session)
    assumed: list[Note] = []
    try:
        definition = read_questionnaire_file(file, assumed=assumed)
        version = import_questionnaire(
            session, definition, publish=publish, file_name=file.name, by=cli_actor()
        )
    except QuestionnaireError as error:
        session.rollback()
        for problem in error.problems:
            click.echo(f"error: {file.name}: {problem}", err=True)
        click.echo("nothing was imported", err=True)
        sys.exit(1)
    session.commit()
    status = "published" if version.status == "published" else "draft"
    for note in assumed:
        click.echo(f"assumed: {note}")
    click.echo(f"code: {version.questionnaire.code}")
    click.echo(f"version: {version.number} ({status})")
    if version.content_hash:
        click.echo(f"content hash: {version.content_hash}")
    else:
        click.echo(
            f"content hash: {content_hash(definition_of(version))} (recorded when published)"
        )


@click.command("export-questionnaire")
@click.argument("code")
@output_option("a .json (appraisal-questionnaire/1) or .xlsx (XLSForm) file")
@click.option("--version", "number", type=int, help="version number (default: the latest)")
@with_appcontext
def export_questionnaire_command(code: str, output: Path, number: int | None) -> None:
    """Export a questionnaire version as JSON or XLSForm."""
    require_schema()
    session = get_session()
    begin_write(session)  # it records the export in the audit log
    query = (
        select(QuestionnaireVersion)
        .join(Questionnaire)
        .where(Questionnaire.code == code)
        .order_by(QuestionnaireVersion.number.desc())
    )
    if number is not None:
        query = query.where(QuestionnaireVersion.number == number)
    version = session.scalars(query.limit(1)).first()
    if version is None:
        _fail(f"no questionnaire {code!r}" + (f" with version {number}" if number else ""))
    if output.suffix.lower() not in (".json", ".xlsx"):
        _fail("the output file must end in .json or .xlsx")
    try:
        write_questionnaire_file(definition_of(version), output)
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror}")
    record(
        session,
        "questionnaire.export",
        actor=cli_actor(),
        object_type="questionnaire_version",
        object_id=version.id,
        details={"code": code, "version": version.number, "file": output.name},
    )
    session.commit()
    click.echo(f"wrote {output} ({code} version {version.number}, {version.status})")


@click.command("qr")
@click.argument("campaign_code")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="folder for the QR codes (PNG, SVG) and posters (PDF)",
)
@with_appcontext
def qr_command(campaign_code: str, out: Path) -> None:
    """QR codes and printable posters for every public link of a campaign."""
    require_schema()
    session = get_session()
    campaign = campaign_or_fail(session, campaign_code)
    written = write_print_files(session, campaign, current_app.config["PUBLIC_URL"], out)
    record(
        session,
        "campaign.print_codes",
        actor=cli_actor(),
        object_type="campaign",
        object_id=campaign.id,
        details={"files": len(written)},
    )
    session.commit()
    pdfs = [p.name for p in written if p.suffix == ".pdf"]
    codes = sum(1 for p in written if p.suffix == ".png")
    click.echo(
        f"wrote {codes} QR codes (PNG and SVG) and {', '.join(pdfs) or 'no posters'} to {out}"
    )


@click.command("campaign-status")
@click.argument("campaign_code")
@click.option("--json", "as_json", is_flag=True, help="print a JSON object")
@with_appcontext
def campaign_status_command(campaign_code: str, as_json: bool) -> None:
    """Response counts of a campaign by status, category and target."""
    require_schema()
    session = get_session()
    campaign = campaign_or_fail(session, campaign_code)
    status = campaign_status(session, campaign)
    if as_json:
        click.echo(json.dumps(status, ensure_ascii=False, indent=2))
        return
    click.echo(f"campaign {status['campaign']} ({status['status']}): {status['total']} responses")
    click.echo("by status: " + ", ".join(f"{k} {v}" for k, v in status["by_status"].items()))
    click.echo("by category: " + ", ".join(f"{k} {v}" for k, v in status["by_category"].items()))
    for key, count in status["by_target"].items():
        click.echo(f"  {key:<32} {count:>7}")


@click.command("score")
@click.argument("campaign_code", metavar="CAMPAIGN")
@click.option("--json", "as_json", is_flag=True, help="print the scoring result document")
@with_appcontext
def score_command(campaign_code: str, as_json: bool) -> None:
    """Score a campaign from its counted responses and store the run (input, result,
    SHA-256, who, when)."""
    from scoring import ScoringInputError

    from .services.scoring_runs import run_scoring

    require_schema()
    session = get_session()
    begin_write(session)
    campaign = campaign_or_fail(session, campaign_code)
    try:
        run = run_scoring(session, campaign, actor=cli_actor())
    except ScoringInputError as error:
        session.rollback()
        _fail(f"the campaign cannot be scored: {error}")
    except ValueError as error:
        session.rollback()
        _fail(str(error))
    session.commit()
    if as_json:
        click.echo(run.result_json, nl=False)
        return
    result = json.loads(run.result_json)
    rated = sum(1 for target in result["targets"] if target["status"] == "rated")
    click.echo(
        f"scoring run {run.id} of {campaign.code}: {len(result['targets'])} targets,"
        f" {rated} rated; input sha256 {run.input_sha256}"
    )


@click.command("export-scoring-input")
@click.argument("campaign_code", metavar="CAMPAIGN")
@output_option("file to write (JSON)")
@with_appcontext
def export_scoring_input_command(campaign_code: str, output: Path) -> None:
    """Write the scoring input of the campaign's latest run, for an auditor to recompute
    with `python -m scoring run FILE`."""
    from scoring.documents import input_pieces

    from .services.scoring_runs import latest_run

    require_schema()
    session = get_session()
    campaign = campaign_or_fail(session, campaign_code)
    run = run_or_fail(latest_run(session, campaign), campaign_code)
    problems = run_problems(session, run, with_input=True)
    if problems:
        _fail(f"scoring run {run.id}: {'; '.join(problems)}; nothing was written")
    write_or_fail(output, input_pieces(run.input_gzip))
    record_download(
        session,
        "scoring_run",
        run.id,
        what="scoring input",
        campaign=campaign.code,
        file=str(output),
    )
    click.echo(f"wrote {output} (scoring run {run.id}, input sha256 {run.input_sha256})")


@click.command("report")
@click.argument("campaign_code", metavar="CAMPAIGN")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "xlsx", "csv"]),
    required=True,
    help="PDF with charts, XLSX with a sheet per level, or CSV (UTF-8 with a BOM)",
)
@output_option("file to write")
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="language"
)
@with_appcontext
def report_command(campaign_code: str, fmt: str, output: Path, lang: str) -> None:
    """Write the ranked assessment report of the campaign: from its frozen scoring run
    once finalised, else from its latest run (provisional)."""
    from .services.assessment import report_input, results_run
    from .services.reports import render_report

    require_schema()
    session = get_session()
    campaign = campaign_or_fail(session, campaign_code)
    try:
        run = run_or_fail(results_run(session, campaign), campaign_code)
    except ResultTampered as error:
        _fail(f"{error}; nothing was written (see `appraisal verify`)")
    report = report_input(session, campaign, run, language=lang)
    write_or_fail(output, [render_report(report, fmt)])
    record_download(
        session, "campaign", campaign.id, what=f"report {fmt}", campaign=campaign.code, run=run.id
    )
    state = "final" if report.final else "provisional: the campaign is not finalised"
    click.echo(f"wrote {output} from scoring run {run.id} ({state})")


@click.command("verify")
@click.argument("campaign_code", metavar="[CAMPAIGN]", required=False)
@with_appcontext
def verify_command(campaign_code: str | None) -> None:
    """Hash every stored scoring input and result again (of CAMPAIGN, or of every
    campaign), check them against the audit log, rebuild each finalised campaign's input
    from its responses, and walk the audit chain; report every break (the chain's first,
    by id) and exit with status 1 if there is one."""
    require_schema()
    session = get_session()
    query = select(Campaign).order_by(Campaign.id)
    if campaign_code is not None:
        query = query.where(Campaign.id == campaign_or_fail(session, campaign_code).id)
    problems: list[str] = []
    runs = 0
    for campaign in session.scalars(query).all():
        run_ids = session.scalars(
            select(ScoringRun.id)
            .where(ScoringRun.campaign_id == campaign.id)
            .order_by(ScoringRun.id)
        ).all()
        for run_id in run_ids:
            run = session.get_one(ScoringRun, run_id)
            runs += 1
            for problem in run_problems(session, run, with_input=True):
                problems.append(f"scoring run {run.id} of {campaign.code}: {problem}")
            session.expunge(run)  # a city's input is large: one run loaded at a time
        if campaign.status == "finalised":
            problems += finalised_input_problems(session, campaign)
    chain = walk_audit_chain(session)
    if chain.problem is not None:
        problems.append(chain.problem)
    session.rollback()
    begin_write(session)
    record(
        session,
        "integrity.verify",
        actor=cli_actor(),
        details={
            "campaign": campaign_code,
            "runs": runs,
            "audit_entries": chain.entries,
            "problems": problems[:20],
        },
    )
    session.commit()
    for problem in problems:
        click.echo(f"BROKEN: {problem}", err=True)
    summary = f"checked {runs} scoring run(s) and {chain.entries} audit entries"
    if problems:
        _fail(f"{summary}: {len(problems)} problem(s)")
    click.echo(f"{summary}: every hash matches and the audit chain is whole")


@click.command("demo")
@click.option("--reset", is_flag=True, help="delete everything in the database first")
@click.option("--seed", default=2026, show_default=True, help="of the synthetic responses")
@with_appcontext
def demo_command(reset: bool, seed: int) -> None:
    """Fill the database with a realistic demo bureau, campaign and responses."""
    from .services.demo import DemoExists, build_demo, reset_database

    engine = get_database().engine
    if reset:
        reset_database(engine)
    upgrade(engine)
    session = get_session()
    begin_write(session)
    try:
        result = build_demo(session, seed=seed)
    except DemoExists as error:
        session.rollback()
        _fail(f"{error}; run `appraisal demo --reset` to delete it and start again")
    record(session, "demo.create", actor=cli_actor(), object_type="campaign", object_id="demo")
    session.commit()
    click.echo(result.summary)
    for role, username, password in result.logins:
        click.echo(f"login: {role} {username} {password}")
    click.echo(f"link: {current_app.config['PUBLIC_URL']}/s/{result.public_token}")


@click.command("db-revision")
@click.argument("message")
def db_revision_command(message: str) -> None:
    """For developers: generate a migration from the models' changes (review it!)."""
    click.echo(new_revision(message))


COMMANDS = (
    db_revision_command,
    init_db_command,
    create_user_command,
    create_cadre_accounts_command,
    import_org_command,
    import_responses_command,
    import_questionnaire_command,
    export_questionnaire_command,
    qr_command,
    campaign_status_command,
    score_command,
    export_scoring_input_command,
    report_command,
    verify_command,
    demo_command,
)


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def _command_app() -> Flask:
    """The app of a command: long work (scoring a city, importing, verifying) runs without
    the web's limit on one statement; waits for locks stay bounded."""
    return create_app({"DATABASE_STATEMENT_TIMEOUT_SECONDS": 0})


cli = FlaskGroup(create_app=_command_app, help="appraisal-engine: public appraisal of the organs.")


def main() -> None:
    cli.main(prog_name="appraisal")


__all__ = ["cli", "main"]
