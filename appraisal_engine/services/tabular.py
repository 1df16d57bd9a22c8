"""Reading CSV and XLSX files row by row, with every problem tied to a file, line and
column, so an office worker can find it in Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

SUPPORTED_SUFFIXES = (".csv", ".xlsx")


def N_(message: str) -> str:
    """Mark a message for translation where it is written (pybabel's keyword N_), and
    translate it where it is shown: the command line prints English, pages the reader's
    language (Problem.localized)."""
    return message


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, where it is, and what is wrong: `message` is an
    English template (marked with N_) filled with `params`."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    header: str | None = None
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def column_letter(self) -> str | None:
        from openpyxl.utils import get_column_letter  # openpyxl loads on first use

        return get_column_letter(self.column) if self.column is not None else None

    def localized(self, translate: Callable[[str], str] = lambda message: message) -> str:
        """What is wrong (not where), in the language of `translate` (a gettext)."""
        template = translate(self.message)
        return template % self.params if self.params else template

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            column = f"column {self.column_letter}"
            if self.header:
                column += f' "{self.header}"'
            where.append(column)
        return f"{', '.join(where)}: {self.localized()}"


class InputFileError(Exception):
    """The file cannot be used; `problems` says everything that is wrong with it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    file: str
    headers: list[str]
    rows: list[Row]

    def column_of(self, header: str) -> int:
        """1-based column number of `header`."""
        return self.headers.index(header) + 1

    def problem(self, row: Row | None, header: str | None, message: str, **params: Any) -> Problem:
        column = self.column_of(header) if header and header in self.headers else None
        return Problem(self.file, message, row.line if row else None, column, header, params)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes, name: str, encoding: str) -> str:
    if encoding.replace("-", "").replace("_", "").lower() == "utf8":
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[line_start : error.start].decode(encoding, errors="replace")) + 1
        message = (
            N_(
                "character %(column)s of this line is not valid %(encoding)s (byte %(byte)s);"
                ' save it from Excel as "CSV UTF-8", or choose the encoding gb18030 for a'
                " file that Excel saved as plain CSV on a Chinese system"
            )
            if encoding == "utf-8-sig"
            else N_(
                "character %(column)s of this line is not valid %(encoding)s (byte %(byte)s);"
                " check the encoding chosen"
            )
        )
        params = {
            "column": column,
            "encoding": encoding.removesuffix("-sig"),
            "byte": f"0x{data[error.start]:02x}",
        }
        raise InputFileError([Problem(name, message, line, params=params)]) from None
    except LookupError:
        raise InputFileError(
            [Problem(name, N_("unknown encoding %(encoding)r"), params={"encoding": encoding})]
        ) from None


def _csv_lines(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    # Excel writes "," or, in some locales, ";"; exports from other tools may use tabs.
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        raise InputFileError(
            [
                Problem(
                    name, N_("not a readable CSV line (%(error)s)"), start, params={"error": error}
                )
            ]
        ) from None


def _xlsx_lines(path: Path, name: str) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise InputFileError(
            [
                Problem(
                    name,
                    N_("cannot be read as an Excel .xlsx workbook (%(error)s)"),
                    params={"error": error.__class__.__name__},
                )
            ]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def read_table(path: str | Path, *, encoding: str = "utf-8") -> Table:
    """Read the first sheet of an .xlsx file, or a .csv file, with a header row.

    Headers are stripped and lower-cased; blank rows are skipped. Raises InputFileError on
    an unreadable, empty or header-only file and on duplicate or blank headers.
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError([Problem(name, N_("must be a .csv or .xlsx file"))])
    try:
        data = path.read_bytes() if suffix == ".csv" else None
    except OSError as error:
        raise InputFileError(
            [Problem(name, N_("cannot be read: %(error)s"), params={"error": error.strerror})]
        ) from None
    if suffix == ".csv":
        assert data is not None
        if not data.strip():
            raise InputFileError([Problem(name, N_("the file is empty"))])
        lines: Iterator[tuple[int, list[str]]] = _csv_lines(_decode(data, name, encoding), name)
    else:
        if not path.is_file():
            raise InputFileError([Problem(name, N_("cannot be read: no such file"))])
        lines = _xlsx_lines(path, name)

    headers: list[str] | None = None
    rows: list[Row] = []
    problems: list[Problem] = []
    for line, cells in lines:
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if headers is None:
            while cells and not cells[-1]:
                cells.pop()
            headers = [c.lower() for c in cells]
            for index, header in enumerate(headers, start=1):
                if not header:
                    problems.append(Problem(name, N_("this column has no header"), line, index))
                elif headers.index(header) != index - 1:
                    problems.append(
                        Problem(name, N_("this header appears twice"), line, index, header)
                    )
            continue
        extra = [i for i, c in enumerate(cells[len(headers) :], start=len(headers) + 1) if c]
        if extra:
            problems.append(
                Problem(name, N_("a value stands beyond the last header"), line, extra[0])
            )
        padded = cells + [""] * (len(headers) - len(cells))
        rows.append(Row(line, dict(zip(headers, padded, strict=False))))
    if headers is None:
        raise InputFileError([Problem(name, N_("the file is empty"))])
    if problems:
        raise InputFileError(problems)
    if not rows:
        raise InputFileError([Problem(name, N_("the file has a header row but no data rows"))])
    return Table(name, headers, rows)
