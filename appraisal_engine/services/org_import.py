"""Importing the organisation (units, service points, cadres) from one CSV or XLSX table.

The whole file is checked first and every problem is reported with its line and column;
only a file without problems is written, in one transaction. A re-import updates by code,
so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scoring.registry import TARGET_KINDS, target_kind_keys

from ..models import Cadre, ServicePoint, Unit
from ..models.org import CODE_LENGTH, NAME_LENGTH
from ..registry import SUBJECT_MODELS
from .audit import Actor, record
from .tabular import N_, InputFileError, Problem, Row, Table, read_table

#: Each spelling of a kind in the "kind" column (its key or an alias) → its key.
KINDS = {name: kind.key for kind in TARGET_KINDS for name in (kind.key, *kind.aliases)}
#: Columns and which kinds of row may fill them in.
COLUMNS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("kind", "code", "parent", "name_zh", "name_en"), target_kind_keys()),
    "position_zh": ("cadre",),
    "position_en": ("cadre",),
    "location_zh": ("service_point",),
    "location_en": ("service_point",),
    "service_points": ("cadre",),
}
REQUIRED_COLUMNS = ("kind", "code", "parent", "name_zh")
CODE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
LIST_SEPARATORS = re.compile(r"[;；,，\s]+")


@dataclass
class ImportSummary:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def as_text(self) -> str:
        labels = {"unit": "units", "service_point": "service points", "cadre": "cadres"}
        return "; ".join(
            f"{label}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            for kind, label in labels.items()
        )


@dataclass(frozen=True)
class _Entry:
    row: Row
    kind: str
    code: str


def _check_rows(table: Table) -> tuple[list[_Entry], list[Problem]]:
    problems: list[Problem] = []
    for header in REQUIRED_COLUMNS:
        if header not in table.headers:
            problems.append(
                Problem(
                    table.file,
                    N_('the column "%(header)s" is missing from the header row'),
                    1,
                    params={"header": header},
                )
            )
    for header in table.headers:
        if header not in COLUMNS:
            problems.append(
                table.problem(
                    None,
                    header,
                    N_('unknown column "%(name)s"; the columns are %(columns)s'),
                    name=header,
                    columns=", ".join(COLUMNS),
                )
            )
    if problems:
        return [], problems

    entries: list[_Entry] = []
    first_line: dict[tuple[str, str], int] = {}
    for row in table.rows:
        raw_kind = row.cells["kind"]
        kind = KINDS.get(raw_kind.lower())
        if kind is None:
            problems.append(
                table.problem(
                    row,
                    "kind",
                    N_('"%(kind)s" is not a kind; use unit, service_point or cadre'),
                    kind=raw_kind,
                )
            )
            continue
        code = row.cells["code"]
        if not code:
            problems.append(table.problem(row, "code", N_("the code is empty")))
        elif len(code) > CODE_LENGTH or not CODE_PATTERN.match(code):
            problems.append(
                table.problem(
                    row,
                    "code",
                    N_(
                        '"%(code)s" is not a valid code: up to %(length)s letters, digits, '
                        "dots, dashes or underscores, starting with a letter or digit"
                    ),
                    code=code,
                    length=CODE_LENGTH,
                )
            )
        elif (kind, code) in first_line:
            problems.append(
                table.problem(
                    row,
                    "code",
                    N_('the code "%(code)s" appears again (first on line %(line)s)'),
                    code=code,
                    line=first_line[kind, code],
                )
            )
        else:
            first_line[kind, code] = row.line
        for header in (
            "name_zh",
            "name_en",
            "position_zh",
            "position_en",
            "location_zh",
            "location_en",
        ):
            value = row.cells.get(header, "")
            if len(value) > NAME_LENGTH:
                problems.append(
                    table.problem(
                        row, header, N_("longer than %(length)s characters"), length=NAME_LENGTH
                    )
                )
        if not row.cells["name_zh"]:
            problems.append(table.problem(row, "name_zh", N_("the Chinese name is empty")))
        if kind != "unit" and not row.cells["parent"]:
            problems.append(
                table.problem(
                    row, "parent", N_("a service point or cadre needs the code of its unit")
                )
            )
        for header, kinds in COLUMNS.items():
            if kind not in kinds and row.cells.get(header):
                problems.append(
                    table.problem(
                        row, header, N_("this column is not used for a %(kind)s row"), kind=kind
                    )
                )
        if code:
            entries.append(_Entry(row, kind, code))
    return entries, problems


def _check_references(
    table: Table,
    entries: list[_Entry],
    units: dict[str, Unit],
    service_points: dict[str, ServicePoint],
) -> list[Problem]:
    problems: list[Problem] = []
    file_units = {e.code for e in entries if e.kind == "unit"}
    file_points = {e.code for e in entries if e.kind == "service_point"}
    known_units = file_units | set(units)
    known_points = file_points | set(service_points)
    for entry in entries:
        parent = entry.row.cells["parent"]
        if parent and parent not in known_units:
            problems.append(
                table.problem(
                    entry.row,
                    "parent",
                    N_(
                        'no unit has the code "%(code)s" (neither in this file nor in the database)'
                    ),
                    code=parent,
                )
            )
        if entry.kind == "unit" and parent == entry.code:
            problems.append(
                table.problem(entry.row, "parent", N_("a unit cannot be its own parent"))
            )
        if entry.kind == "cadre":
            for point in LIST_SEPARATORS.split(entry.row.cells.get("service_points", "")):
                if point and point not in known_points:
                    problems.append(
                        table.problem(
                            entry.row,
                            "service_points",
                            N_('no service point has the code "%(code)s"'),
                            code=point,
                        )
                    )

    # The unit tree after the import: the database's parents, overridden by the file's.
    parent_of = {code: (u.parent.code if u.parent else "") for code, u in units.items()}
    line_of: dict[str, Row] = {}
    for entry in entries:
        if entry.kind == "unit":
            parent_of[entry.code] = entry.row.cells["parent"]
            line_of[entry.code] = entry.row
    reported: set[str] = set()
    for start in line_of:
        seen: list[str] = []
        code = start
        while code and code not in seen and code in parent_of:
            seen.append(code)
            code = parent_of[code]
        if code in seen and code not in reported:
            cycle = seen[seen.index(code) :]
            reported.update(cycle)
            culprit = next((c for c in cycle if c in line_of), start)
            problems.append(
                table.problem(
                    line_of[culprit],
                    "parent",
                    N_("the units form a loop: %(loop)s"),
                    loop=" → ".join([*cycle, code]),
                )
            )
    return problems


def _assign(obj: object, values: dict[str, str | int], headers: list[str]) -> bool:
    """Set the attributes whose column is in the file (a column left out of the file
    leaves that attribute alone); True when anything changed."""
    changed = False
    for attribute, value in values.items():
        in_file = attribute in headers or attribute == "sort_order"
        if in_file and getattr(obj, attribute) != value:
            setattr(obj, attribute, value)
            changed = True
    return changed


def import_org(
    session: Session,
    path: str | Path,
    *,
    encoding: str = "utf-8",
    file_name: str | None = None,
    by: Actor = None,
) -> ImportSummary:
    """Check and import an organisation file into `session`, audited as done `by` under
    `file_name` (the name the user gave the file; the path's own by default). The caller
    commits.

    Raises InputFileError listing every problem; nothing is added to the session then.
    """
    table = read_table(path, encoding=encoding)
    entries, problems = _check_rows(table)
    if problems:
        raise InputFileError(problems)

    units = {u.code: u for u in session.scalars(select(Unit).options(selectinload(Unit.parent)))}
    service_points = {p.code: p for p in session.scalars(select(ServicePoint))}
    cadres = {
        c.code: c
        for c in session.scalars(select(Cadre).options(selectinload(Cadre.service_points)))
    }
    problems = _check_references(table, entries, units, service_points)
    if problems:
        raise InputFileError(problems)

    created: set[tuple[str, str]] = set()
    changed: set[tuple[str, str]] = set()
    stores: dict[str, dict] = {"unit": units, "service_point": service_points, "cadre": cadres}
    models: dict[str, type] = SUBJECT_MODELS
    extra_columns = {
        "unit": (),
        "service_point": ("location_zh", "location_en"),
        "cadre": ("position_zh", "position_en"),
    }
    for position, entry in enumerate(entries):
        cells = entry.row.cells
        values: dict[str, str | int] = {
            "name_zh": cells["name_zh"],
            "name_en": cells.get("name_en", ""),
            "sort_order": position,
        }
        values.update({column: cells.get(column, "") for column in extra_columns[entry.kind]})
        key = (entry.kind, entry.code)
        obj = stores[entry.kind].get(entry.code)
        if obj is None:
            obj = models[entry.kind](code=entry.code, **values)
            session.add(obj)
            stores[entry.kind][entry.code] = obj
            created.add(key)
        elif _assign(obj, values, table.headers):
            changed.add(key)

    # References, now that every object of the file exists.
    for entry in entries:
        cells = entry.row.cells
        key = (entry.kind, entry.code)
        obj = stores[entry.kind][entry.code]
        parent = units[cells["parent"]] if cells["parent"] else None
        reference = "parent" if entry.kind == "unit" else "unit"
        if getattr(obj, reference) is not parent:
            setattr(obj, reference, parent)
            changed.add(key)
        if entry.kind == "cadre" and "service_points" in table.headers:
            wanted_codes = [c for c in LIST_SEPARATORS.split(cells["service_points"]) if c]
            if {p.code for p in obj.service_points} != set(wanted_codes):
                obj.service_points = [service_points[c] for c in dict.fromkeys(wanted_codes)]
                changed.add(key)
    session.flush()

    summary = ImportSummary()
    for entry in entries:
        key = (entry.kind, entry.code)
        if key in created:
            summary.created[entry.kind] += 1
        elif key in changed:
            summary.updated[entry.kind] += 1
        else:
            summary.unchanged[entry.kind] += 1
    if by is not None:
        record(
            session,
            "org.import",
            by=by,
            object_type="file",
            object_id=file_name or Path(path).name,
            details={"created": dict(summary.created), "updated": dict(summary.updated)},
        )
    return summary
