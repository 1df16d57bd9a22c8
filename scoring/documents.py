"""Writing and reading the scoring documents (SCORING.md §2 and §4) as they are stored.

- `InputDocument`: an input held as declarations and arrays; `canonical_chunks` writes its
  canonical JSON (`scoring.canonical_json` of `document()`, byte for byte) far faster than
  building the document, `text()` and `sha256()` are that JSON and its SHA-256;
- `pack_input` / `input_pieces`: the input as stored, gzip (level 1), and back;
  `packed_sha256` hashes a packed input again, `input_declarations` reads its head only;
- `load_result`: a stored result document (the text of `scoring.dumps_result`).

numpy loads when an input is first written, not when this module is imported.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .canonical import canonical_json
from .inputs import INPUT_FORMAT

if TYPE_CHECKING:
    import numpy as np


@dataclass
class InputDocument:
    """A scoring input held as its declarations, as the document has them, and its
    responses as arrays (the app builds one from a campaign's counted responses).

    Row r is response `response_numbers[r]` (a number; its id in the document is
    "r<number>") for `targets[target_index[r]]` in category `category_index[r]` (into the
    params' categories), with `points[r, j]` for `questions[j]` (NaN for null);
    `is_copy[r]` marks a response counted again for another target (a window's unit, a
    named cadre), whose id is "r<number>@<target id>"."""

    campaign: dict[str, str]
    params: dict[str, Any]
    indicators: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    response_numbers: np.ndarray
    is_copy: np.ndarray
    target_index: np.ndarray
    category_index: np.ndarray
    points: np.ndarray

    @property
    def response_ids(self) -> list[str]:
        """Each row's id in the document: "r123", or "r123@unit:U01" for a copy."""
        target_ids = [target["id"] for target in self.targets]
        return [
            f"r{number}@{target_ids[target]}" if copy else f"r{number}"
            for number, copy, target in zip(
                self.response_numbers.tolist(),
                self.is_copy.tolist(),
                self.target_index.tolist(),
                strict=True,
            )
        ]

    def document(self) -> dict[str, Any]:
        """The scoring input document (SCORING.md §2) as Python objects. For a large
        campaign `canonical_chunks` writes the same JSON far faster."""
        import numpy as np

        question_ids = [question["id"] for question in self.questions]
        category_names = list(self.params["categories"])
        target_ids = [target["id"] for target in self.targets]
        responses = []
        for row, response_id in enumerate(self.response_ids):
            values = self.points[row]
            responses.append(
                {
                    "id": response_id,
                    "target": target_ids[self.target_index[row]],
                    "category": category_names[self.category_index[row]],
                    "points": {
                        question_ids[j]: float(value)
                        for j, value in enumerate(values)
                        if not np.isnan(value)
                    },
                }
            )
        return {**self._declarations(), "responses": responses}

    def text(self) -> str:
        """The input document as exported: canonical JSON (its SHA-256 is the result's
        `input_sha256`). For small inputs and tests; runs store it packed (`pack_input`)."""
        return b"".join(self.canonical_chunks()).decode("utf-8")

    def sha256(self) -> str:
        """SHA-256 of the canonical input, without holding the whole document."""
        digest = hashlib.sha256()
        for chunk in self.canonical_chunks():
            digest.update(chunk)
        return digest.hexdigest()

    def _declarations(self) -> dict[str, Any]:
        return {
            "format": INPUT_FORMAT,
            "campaign": self.campaign,
            "params": self.params,
            "indicators": self.indicators,
            "questions": self.questions,
            "targets": self.targets,
        }

    def canonical_chunks(self, rows_per_chunk: int = 50_000) -> Iterator[bytes]:
        """`canonical_json(self.document())` in pieces, without building the document:
        rows are formatted from templates, a template per category and set of answered
        questions, with each distinct point value written once by `repr` (what
        `json.dumps` writes for a float). Keys of the document and of each response are
        in sorted order (canonical JSON); responses are in row order."""
        import numpy as np

        declarations = self._declarations()
        targets = declarations.pop("targets")
        head = canonical_json(declarations)
        # Keys in sorted order: …, "questions", "responses", "targets".
        yield head[:-1] + b',"responses":['
        target_json = np.array([_json_string(target["id"]) for target in targets], dtype=object)
        suffixes = np.array(["@" + _json_string(target["id"])[1:-1] for target in targets])
        suffixes = suffixes.astype(object)
        categories = list(self.params["categories"])
        question_ids = [question["id"] for question in self.questions]
        rows = len(self.response_numbers)
        first = True
        for start in range(0, rows, rows_per_chunk):
            stop = min(rows, start + rows_per_chunk)
            text = ",".join(
                self._format_rows(
                    slice(start, stop), categories, question_ids, target_json, suffixes
                )
            )
            if text:
                yield (text if first else "," + text).encode("utf-8")
                first = False
        yield b"]," + b'"targets":' + canonical_json(targets) + b"}"

    def _format_rows(
        self,
        rows: slice,
        categories: list[str],
        question_ids: list[str],
        target_json: np.ndarray,
        suffixes: np.ndarray,
    ) -> list[str]:
        import numpy as np

        points = self.points[rows]
        answered = ~np.isnan(points)
        # Exact distinct values (by bit pattern, so 0.0 and -0.0 stay apart), each as repr.
        bits = points.view(np.int64)
        distinct, codes = np.unique(bits[answered], return_inverse=True)
        texts = np.array([repr(float(v)) for v in distinct.view(np.float64)], dtype=object)
        value_codes = np.zeros(points.shape, dtype=np.int64)
        value_codes[answered] = codes
        numbers = self.response_numbers[rows]
        target_index = self.target_index[rows]
        row_suffix = np.where(self.is_copy[rows], suffixes[target_index], "")
        row_target = target_json[target_index]
        category_index = self.category_index[rows]
        # A pattern: the category and which questions are answered.
        patterns = np.concatenate(
            [category_index[:, None].astype(np.uint8), np.packbits(answered, axis=1)], axis=1
        )
        unique_patterns, pattern_of_row = np.unique(patterns, axis=0, return_inverse=True)
        pattern_of_row = pattern_of_row.reshape(-1)
        out = np.empty(len(numbers), dtype=object)
        for pattern, _ in enumerate(unique_patterns):
            members = np.flatnonzero(pattern_of_row == pattern)
            first_row = members[0]
            columns = sorted(np.flatnonzero(answered[first_row]), key=question_ids.__getitem__)
            category = _json_string(categories[category_index[first_row]])
            keys = ",".join(
                _json_string(question_ids[j]).replace("%", "%%") + ":%s" for j in columns
            )
            template = (
                '{"category":'
                + category.replace("%", "%%")
                + ',"id":"r%d%s","points":{'
                + keys
                + '},"target":%s}'
            )
            values = [texts[value_codes[members, j]].tolist() for j in columns]
            out[members] = list(
                map(
                    template.__mod__,
                    zip(
                        numbers[members].tolist(),
                        row_suffix[members].tolist(),
                        *values,
                        row_target[members].tolist(),
                        strict=True,
                    ),
                )
            )
        return out.tolist()


def _json_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def pack_input(data: InputDocument) -> tuple[str, bytes]:
    """The SHA-256 of the canonical input and the input as stored: gzip (level 1).

    A city's input is hundreds of megabytes of JSON that compresses about 12 to 1. zlib
    and hashlib release the GIL, so a second thread compresses and hashes each piece
    while the next one is formatted."""
    digest = hashlib.sha256()
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # 31: gzip framing
    packed: list[bytes] = []

    def absorb(chunk: bytes) -> None:
        digest.update(chunk)
        packed.append(compressor.compress(chunk))

    with ThreadPoolExecutor(max_workers=1) as worker:
        pending = None
        for chunk in data.canonical_chunks():
            if pending is not None:
                pending.result()
            pending = worker.submit(absorb, chunk)
        if pending is not None:
            pending.result()
    packed.append(compressor.flush())
    return digest.hexdigest(), b"".join(packed)


def input_pieces(packed: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    """A packed input (`pack_input`; the app's `ScoringRun.input_gzip`) as canonical JSON
    bytes, decompressed piece by piece."""
    decompressor = zlib.decompressobj(31)
    for start in range(0, len(packed), size):
        piece = decompressor.decompress(packed[start : start + size])
        if piece:
            yield piece
    rest = decompressor.flush()
    if rest:
        yield rest


def input_declarations(packed: bytes) -> dict[str, Any]:
    """The declarations (campaign, format, indicators, params, questions) of a packed
    input, read from its head without decompressing the responses: in canonical JSON they
    all come before the key "responses"."""
    marker = b',"responses":['
    decompressor = zlib.decompressobj(31)
    head = b""
    step = 1 << 16
    for start in range(0, len(packed), step):
        head += decompressor.decompress(packed[start : start + step])
        if marker in head:
            break
    return json.loads(head[: head.index(marker)] + b"}")


def packed_sha256(packed: bytes) -> str:
    """SHA-256 of a packed input's canonical JSON (decompressed piece by piece)."""
    digest = hashlib.sha256()
    for piece in input_pieces(packed):
        digest.update(piece)
    return digest.hexdigest()


def load_result(text: str) -> dict[str, Any]:
    """A stored result document as Python objects."""
    return json.loads(text)
