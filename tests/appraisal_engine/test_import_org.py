"""`appraisal import-org`: the sample files, idempotent re-imports, and bad input case by
case, each refused with file, line and column and without writing anything."""

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from appraisal_engine.models import AuditEntry, Cadre, ServicePoint, Unit
from appraisal_engine.services.tabular import read_table

from .test_auth import csrf_token, sign_in

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEADER = "kind,code,parent,name_zh,name_en"


def write(tmp_path, text, name="org.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(tmp_path, rows, name="org.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def counts(session):
    session.expire_all()
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Unit, ServicePoint, Cadre)
    )


def test_sample_csv_imports_the_bureau(runner, session):
    result = runner.invoke(args=["import-org", str(EXAMPLES / "org-sample.csv")])
    assert result.exit_code == 0, result.output
    assert "units: 6 created" in result.output
    assert "cadres: 32 created" in result.output
    assert counts(session) == (6, 10, 32)
    enterprise = session.scalars(select(Unit).where(Unit.code == "CN-GSB-ENT")).one()
    assert enterprise.parent.code == "CN-GSB"
    assert enterprise.name_en == "Enterprise Services Section"
    cadre = session.scalars(select(Cadre).where(Cadre.code == "C007")).one()
    assert [p.code for p in cadre.service_points] == ["W01"]
    assert cadre.unit.code == "CN-GSB-ENT"
    window = session.scalars(select(ServicePoint).where(ServicePoint.code == "W10")).one()
    assert window.name_zh == "“办不成事”反映窗口"
    assert window.location_en == "Ground floor hall, window 10"
    assert session.scalars(select(AuditEntry.action)).all() == ["org.import"]


def test_sample_xlsx_holds_the_same_rows_as_the_csv():
    csv_table = read_table(EXAMPLES / "org-sample.csv")
    xlsx_table = read_table(EXAMPLES / "org-sample.xlsx")
    assert xlsx_table.headers == csv_table.headers
    assert [r.cells for r in xlsx_table.rows] == [r.cells for r in csv_table.rows]


def test_demo_organisation_is_the_shipped_sample():
    packaged = Path(__file__).resolve().parents[2] / "appraisal_engine" / "data" / "demo-org.csv"
    assert packaged.read_bytes() == (EXAMPLES / "org-sample.csv").read_bytes()


def test_reimport_is_idempotent_and_updates_by_code(runner, session, tmp_path):
    sample = str(EXAMPLES / "org-sample.xlsx")
    assert runner.invoke(args=["import-org", sample]).exit_code == 0
    again = runner.invoke(args=["import-org", sample])
    assert again.exit_code == 0, again.output
    assert "units: 0 created, 0 updated, 6 unchanged" in again.output
    assert "cadres: 0 created, 0 updated, 32 unchanged" in again.output
    change = write(
        tmp_path,
        HEADER + ",service_points\n"
        "cadre,C007,CN-GSB-SOC,赵芳,Zhao Fang,W04;W05\n"
        "unit,CN-GSB-NEW,CN-GSB-SOC,新科室,New Section,\n",
    )
    result = runner.invoke(args=["import-org", str(change)])
    assert result.exit_code == 0, result.output
    assert "units: 1 created, 0 updated" in result.output
    assert "cadres: 0 created, 1 updated" in result.output
    assert counts(session) == (7, 10, 32)
    cadre = session.scalars(select(Cadre).where(Cadre.code == "C007")).one()
    assert cadre.unit.code == "CN-GSB-SOC"
    assert sorted(p.code for p in cadre.service_points) == ["W04", "W05"]


def test_columns_left_out_leave_values_alone(runner, session, tmp_path):
    assert runner.invoke(args=["import-org", str(EXAMPLES / "org-sample.csv")]).exit_code == 0
    renamed = write(tmp_path, "kind,code,parent,name_zh\nunit,CN-GSB-OFF,CN-GSB,局办公室\n")
    assert runner.invoke(args=["import-org", str(renamed)]).exit_code == 0
    office = session.scalars(select(Unit).where(Unit.code == "CN-GSB-OFF")).one()
    assert (office.name_zh, office.name_en) == ("局办公室", "General Office")


def test_parents_may_come_after_children_and_chinese_kinds_work(runner, session, tmp_path):
    path = write(
        tmp_path,
        HEADER + "\n干部,C1,B,张三,Zhang San\n窗口,W1,B,一号窗口,\n单位,B,A,科室,\n单位,A,,局,\n",
    )
    result = runner.invoke(args=["import-org", str(path)])
    assert result.exit_code == 0, result.output
    assert counts(session) == (2, 1, 1)


def test_semicolon_separated_csv_with_byte_order_mark(runner, session, tmp_path):
    path = write(tmp_path, "\ufeffkind;code;parent;name_zh\nunit;A;;局\n")
    result = runner.invoke(args=["import-org", str(path)])
    assert result.exit_code == 0, result.output
    assert counts(session) == (1, 0, 0)


def test_gb18030_file_with_encoding_option(runner, session, tmp_path):
    path = write(tmp_path, HEADER + "\nunit,A,,城南区政务服务管理局,\n", encoding="gb18030")
    refused = runner.invoke(args=["import-org", str(path)])
    assert refused.exit_code == 1
    assert "org.csv, line 2: character 9 of this line is not valid utf-8" in refused.output
    assert "the encoding gb18030" in refused.output
    accepted = runner.invoke(args=["import-org", "--encoding", "gb18030", str(path)])
    assert accepted.exit_code == 0, accepted.output
    assert session.scalars(select(Unit.name_zh)).one() == "城南区政务服务管理局"


BAD_CSV = [
    pytest.param(
        "kind,code,name_zh\nunit,A,局\n",
        ['org.csv, line 1: the column "parent" is missing from the header row'],
        id="missing-column",
    ),
    pytest.param(
        HEADER + "\nunit,A,,局,\ncadre,C1,NOPE,张三,\n",
        ['org.csv, line 3, column C "parent": no unit has the code "NOPE"'],
        id="unknown-parent",
    ),
    pytest.param(
        HEADER + "\nunit,A,,局,\nunit,B,A,科,\nunit,A,,另一个局,\n",
        ['org.csv, line 4, column B "code": the code "A" appears again (first on line 2)'],
        id="duplicate-code",
    ),
    pytest.param("", ["org.csv: the file is empty"], id="empty-file"),
    pytest.param("\n\n  \n", ["org.csv: the file is empty"], id="blank-lines-only"),
    pytest.param(
        HEADER + "\n", ["org.csv: the file has a header row but no data rows"], id="header-only"
    ),
    pytest.param(
        HEADER + "\nunit,A,B,甲,\nunit,B,A,乙,\n",
        ['org.csv, line 2, column C "parent": the units form a loop: A → B → A'],
        id="unit-loop",
    ),
    pytest.param(
        HEADER + "\nperson,A,,甲,\n",
        [
            'org.csv, line 2, column A "kind": "person" is not a kind; use unit, service_point '
            "or cadre"
        ],
        id="unknown-kind",
    ),
    pytest.param(
        HEADER + ",nmae_en\nunit,A,,甲,,\n",
        ['org.csv, column F "nmae_en": unknown column "nmae_en"'],
        id="unknown-column",
    ),
    pytest.param(
        HEADER + "\nunit,A B,,甲,\nunit,C,,,\ncadre,C1,,张三,\n",
        [
            'org.csv, line 2, column B "code": "A B" is not a valid code',
            'org.csv, line 3, column D "name_zh": the Chinese name is empty',
            'org.csv, line 4, column C "parent": a service point or cadre needs the code of '
            "its unit",
        ],
        id="several-problems-at-once",
    ),
    pytest.param(
        HEADER + ",service_points\nunit,A,,甲,,\ncadre,C1,A,张三,,W9\n",
        ['org.csv, line 3, column F "service_points": no service point has the code "W9"'],
        id="unknown-service-point",
    ),
    pytest.param(
        HEADER + ",position_zh\nunit,A,,甲,,科长\n",
        ['org.csv, line 2, column F "position_zh": this column is not used for a unit row'],
        id="column-of-another-kind",
    ),
    pytest.param(
        HEADER + "\nunit,A,,甲,,extra\n",
        ["org.csv, line 2, column F: a value stands beyond the last header"],
        id="value-beyond-header",
    ),
    pytest.param(
        'kind,code,parent,name_zh,name_en\nunit,A,,"甲\n乙",\nunit,B,A,,\n',
        ['org.csv, line 4, column D "name_zh": the Chinese name is empty'],
        id="line-numbers-count-quoted-newlines",
    ),
]


@pytest.mark.parametrize(("text", "messages"), BAD_CSV)
def test_bad_csv_is_refused_with_line_and_column_and_writes_nothing(
    runner, session, tmp_path, text, messages
):
    existing = write(tmp_path, HEADER + "\nunit,KEEP,,保留,\n", name="first.csv")
    assert runner.invoke(args=["import-org", str(existing)]).exit_code == 0
    path = write(tmp_path, text)
    result = runner.invoke(args=["import-org", str(path)])
    assert result.exit_code == 1
    for message in messages:
        assert f"error: {message}" in result.output, result.output
    assert "nothing was imported" in result.output
    assert counts(session) == (1, 0, 0)


def test_bad_xlsx_names_row_and_column_letter(runner, session, tmp_path):
    path = write_xlsx(
        tmp_path,
        [
            ["kind", "code", "parent", "name_zh"],
            ["unit", "A", None, "局"],
            ["service_point", "W1", "Z", "窗口"],
        ],
    )
    result = runner.invoke(args=["import-org", str(path)])
    assert result.exit_code == 1
    assert 'org.xlsx, line 3, column C "parent": no unit has the code "Z"' in result.output
    assert counts(session) == (0, 0, 0)


def test_xlsx_numbers_become_codes(runner, session, tmp_path):
    path = write_xlsx(
        tmp_path,
        [
            ["kind", "code", "parent", "name_zh"],
            ["unit", 1001, None, "局"],
            ["cadre", 2001, 1001, "张三"],
        ],
    )
    result = runner.invoke(args=["import-org", str(path)])
    assert result.exit_code == 0, result.output
    assert session.scalars(select(Cadre.code)).one() == "2001"


def test_damaged_xlsx_and_other_formats_are_refused(runner, tmp_path):
    damaged = write(tmp_path, "not a workbook", name="org.xlsx")
    result = runner.invoke(args=["import-org", str(damaged)])
    assert result.exit_code == 1
    assert "org.xlsx: cannot be read as an Excel .xlsx workbook" in result.output
    other = write(tmp_path, "x", name="org.txt")
    result = runner.invoke(args=["import-org", str(other)])
    assert "org.txt: must be a .csv or .xlsx file" in result.output
    missing = runner.invoke(args=["import-org", str(tmp_path / "missing.csv")])
    assert missing.exit_code == 1
    assert "missing.csv: cannot be read" in missing.output


# The same import from the administrator's page -------------------------------------


@pytest.fixture
def admin(client, factories, session):
    factories.user("admin", username="importer")
    session.commit()
    sign_in(client, "importer")
    return client


def upload(client, path, encoding="utf-8"):
    with open(path, "rb") as handle:
        return client.post(
            "/admin/organisation",
            data={
                "csrf_token": csrf_token(client, "/admin/organisation"),
                "encoding": encoding,
                "file": (handle, path.name),
            },
            content_type="multipart/form-data",
        )


def test_an_administrator_uploads_the_sample_workbook(admin, session):
    done = upload(admin, EXAMPLES / "org-sample.xlsx")
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "已导入 org-sample.xlsx" in page
    assert counts(session)[0] > 0
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "org.import"))
    assert entry.actor == "importer" and entry.object_id == "org-sample.xlsx"
    again = upload(admin, EXAMPLES / "org-sample.xlsx").get_data(as_text=True)
    assert "已导入" in again, "importing again changes nothing and says so"


def test_a_bad_file_lists_its_problems_in_chinese_and_imports_nothing(admin, session, tmp_path):
    path = write(tmp_path, HEADER + "\nunit,A,,甲处,\ncadre,C1,NOPE,,\nunit,A,,重复,\n")
    refused = upload(admin, path)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "org.csv 未导入任何内容" in page
    assert "中文名称为空" in page
    assert "编号“A”重复出现（第一次在第 2 行）" in page
    assert '<td class="num">3</td><td>D <code>name_zh</code></td>' in page
    assert counts(session) == (0, 0, 0)


def test_a_gb18030_file_needs_its_encoding_chosen(admin, session, tmp_path):
    path = write(tmp_path, HEADER + "\nunit,A,,城南区政务服务管理局,\n", encoding="gb18030")
    refused = upload(admin, path).get_data(as_text=True)
    assert "不是有效的 utf-8" in refused and "gb18030" in refused
    assert upload(admin, path, encoding="gb18030").status_code == 200
    assert counts(session)[0] == 1


def test_only_csv_and_xlsx_files_are_taken(admin, session, tmp_path):
    path = write(tmp_path, "hello", name="org.txt")
    refused = upload(admin, path)
    assert refused.status_code == 400 and "必须是 .csv 或 .xlsx 文件" in refused.get_data(
        as_text=True
    )
    english = admin.get("/admin/organisation?lang=en").get_data(as_text=True)
    assert "Import the organisation" in english
