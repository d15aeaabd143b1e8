"""Comment matrix exports: our writers against the plain library calls, in the same run.

    python bench/matrix.py [--entities 200] [--inputs 25] [--repeat 7] [--json FILE] [--no-docs-way]

A synthetic round of `--entities` x `--inputs` inputs (5,000 by default: comments of one to
six sentences, some with line breaks, 60 % with proposed text, half with a rationale, 60 %
with a disposition and response, 8 % late) is exported by bot/exports, and the same cells by:

- XLSX: openpyxl write-only mode, `ws.append(values)`, no styles, no filter, no validation;
- DOCX: python-docx, `add_table(rows=n + 1, cols=10)` then `cell.text = ...` row by row (the
  fastest plain python-docx way we found), and the way python-docx's quick start shows,
  `table.add_row().cells` then `cell.text = ...` (slower; `--no-docs-way` skips it);
- re-import (for information): openpyxl read-only mode reading every value of the filled file,
  against `read_responses` on the same file (half the rows filled in).

Each repetition runs every pair, alternating which goes first; `gc.collect()` before each
timing. Prints median seconds and the ratios ours / baseline as a Markdown table; `--json FILE`
writes every sample. Exit status 1 when a ratio with a goal is above `--max-ratio` (1.5).
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import docx  # noqa: E402
import openpyxl  # noqa: E402
from docx import Document  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from bench.pairs import compare, missed, plain_docx_table, plain_xlsx, print_table  # noqa: E402
from bot.exports import Matrix, MatrixRow, read_responses, write_docx, write_xlsx  # noqa: E402
from bot.exports.matrix_columns import COLUMNS, column_labels, disposition_labels, kind_labels  # noqa: E402

GOAL_RATIO = 1.5
UN_ENTITIES = [("UNEP", "United Nations Environment Programme"), ("UNDP", "United Nations Development Programme"),
               ("WMO", "World Meteorological Organization"),
               ("UNIDO", "United Nations Industrial Development Organization"), ("WFP", "World Food Programme"),
               ("UNCTAD", "United Nations Conference on Trade and Development"),
               ("UNESCO", "United Nations Educational, Scientific and Cultural Organization"),
               ("ILO", "International Labour Organization"), ("UNOPS", "United Nations Office for Project Services"),
               ("CBD", "Secretariat of the Convention on Biological Diversity")]
SECTIONS = [("", "")] + [(f"{c}.{s}", f"Heading of section {c}.{s}") for c in range(1, 7) for s in range(1, 4)] + \
           [(f"para {p}", "") for p in (14, 22, 31)]
SENTENCES = [
    "The interim guidance should state who in each entity signs off the emission reduction strategy.",
    "We suggest aligning the indicators with the common reporting system modelled on the GHG inventory.",
    "Facilities and procurement are covered, but air travel is only mentioned in passing.",
    "Please clarify whether entities sharing premises report their emissions once or separately.",
    "The timeline in this section does not leave enough time for governing bodies to be consulted.",
    "Replace \"should\" by \"may\" here: several entities have no environmental management system yet.",
    "Sécurité et santé au travail: the social safeguards need the same weight as the environmental ones.",
    "The peer review topics (waste, ICT, green meetings, water) could be listed as examples.",
    "Editorial: the acronym EMS is used before it is defined.",
    "Our governing body will review the framework in 2015; the guidance should allow for that.",
    "Add a reference to the Greening the Blue good practices database.",
    "The definition of climate neutrality differs from the one used in the 2013 inventory report.",
]


def build_matrix(entities: int, inputs: int, seed: int = 2014) -> Matrix:
    rng = random.Random(seed)
    codes = UN_ENTITIES + [(f"E{n:03d}", f"Member entity {n}") for n in range(len(UN_ENTITIES) + 1, entities + 1)]
    dispositions = ["accepted", "partially_accepted", "not_accepted", "noted"]
    rows = []
    for code, name in codes[:entities]:
        for i in range(1, inputs + 1):
            number, heading = rng.choice(SECTIONS)
            said = [rng.choice(SENTENCES) for _ in range(rng.randint(1, 6))]
            comment = ("\n" if rng.random() < 0.3 else " ").join(said)
            disposition = rng.choice(dispositions) if rng.random() < 0.6 else None
            proposed = " ".join(rng.sample(SENTENCES, rng.randint(1, 3))) if rng.random() < 0.6 else ""
            rows.append(MatrixRow(
                ref=f"R2-{code}-{i}", entity_code=code, entity_name=name, section_number=number,
                section_heading=heading, kind="general" if not number else rng.choice(["substantive", "editorial"]),
                comment=comment, proposed_text=proposed,
                rationale=rng.choice(SENTENCES) if rng.random() < 0.5 else "", disposition=disposition,
                response=rng.choice(SENTENCES) if disposition else "", late=rng.random() < 0.08))
    rows.sort(key=lambda r: (r.section_number == "", r.section_number, r.entity_code))
    return Matrix("Consultation on the sustainability framework", "Interim guidance on the sustainability framework",
                  2, 2, "Friday 14 March 2014, 18:00 (Geneva)", "Monday 17 March 2014, 09:12 (Geneva)", rows)


def plain_values(matrix: Matrix) -> tuple[list[str], list[list]]:
    """The header and each row's cells, with the same labels our writers use, built plainly."""
    columns, kinds, dispositions = column_labels(None), kind_labels(None), disposition_labels(None)
    header = [columns[c] for c in COLUMNS]
    rows = []
    for n, r in enumerate(matrix.rows, 1):
        section = f"{r.section_number} {r.section_heading}".strip() or "General"
        rows.append([n, r.entity_code, section, kinds[r.kind], r.comment, r.proposed_text or None,
                     r.rationale or None, dispositions.get(r.disposition), r.response or None,
                     "Yes" if r.late else None, r.ref])
    return header, rows


def baseline_xlsx(matrix: Matrix) -> bytes:
    header, rows = plain_values(matrix)
    return plain_xlsx("Comment matrix", ("Comment matrix", matrix.process_title, matrix.document_title,
                                         matrix.deadline_text, matrix.generated_at_text), header, rows)


def _docx_cells(matrix: Matrix) -> tuple[list[str], list[list[str]]]:
    header, rows = plain_values(matrix)
    texts = [[f"{r[0]}\n{r[10]}"] + ["" if v is None else str(v) for v in r[1:10]] for r in rows]
    return header[:10], texts


def _docx_start(matrix: Matrix):
    doc = Document()
    for line in ("Comment matrix", matrix.process_title, matrix.document_title, matrix.deadline_text,
                 matrix.generated_at_text):
        doc.add_paragraph(line)
    return doc


def baseline_docx_prealloc(matrix: Matrix) -> bytes:
    header, texts = _docx_cells(matrix)
    return plain_docx_table(_docx_start(matrix), header, texts)


def baseline_docx_docs_way(matrix: Matrix) -> bytes:
    header, texts = _docx_cells(matrix)
    doc = _docx_start(matrix)
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, value in zip(table.rows[0].cells, header):
        cell.text = value
    for values in texts:
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = value
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def filled_xlsx(matrix: Matrix) -> bytes:
    """Our export with half the rows given a disposition and response, as a person would."""
    wb = load_workbook(io.BytesIO(write_xlsx(matrix)))
    ws = wb.active
    for row in range(7, 7 + len(matrix.rows), 2):
        ws.cell(row, 8, "Partially accepted")
        ws.cell(row, 9, "Reflected in paragraph 12 of version 3.")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def baseline_read(data: bytes) -> int:
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = sum(1 for _ in wb.active.iter_rows(values_only=True))
    wb.close()
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--inputs", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-docs-way", action="store_true", help="skip the slow add_row() baseline")
    parser.add_argument("--max-ratio", type=float, default=GOAL_RATIO)
    args = parser.parse_args(argv)

    matrix = build_matrix(args.entities, args.inputs)
    known = {r.ref: r for r in matrix.rows}
    filled = filled_xlsx(matrix)
    comparisons = [  # (name, ours, baseline name, baseline, goal)
        ("XLSX export", lambda: write_xlsx(matrix), "openpyxl write-only, `ws.append`, no styles",
         lambda: baseline_xlsx(matrix), args.max_ratio),
        ("DOCX export", lambda: write_docx(matrix), "python-docx `add_table(rows=n+1)` + `cell.text` (fastest plain)",
         lambda: baseline_docx_prealloc(matrix), args.max_ratio),
        ("XLSX re-import", lambda: read_responses(filled, known), "openpyxl read-only, every value",
         lambda: baseline_read(filled), None),
    ]
    if not args.no_docs_way:
        comparisons.insert(2, ("DOCX export", lambda: write_docx(matrix),
                               "python-docx `add_row()` + `cell.text` (docs way)",
                               lambda: baseline_docx_docs_way(matrix), None))
    results = compare(comparisons, args.repeat)

    print(f"{len(matrix.rows)} rows ({args.entities} entities x {args.inputs} inputs), median of {args.repeat}; "
          f"Python {platform.python_version()}, openpyxl {openpyxl.__version__}, python-docx {docx.__version__}, "
          f"{platform.machine()}\n")
    print_table(results, "s")
    if args.json:
        args.json.write_text(json.dumps({
            "rows": len(matrix.rows), "repeat": args.repeat, "python": platform.python_version(),
            "openpyxl": openpyxl.__version__, "python_docx": docx.__version__, "results": results}, indent=2))
    return 1 if missed(results) else 0


if __name__ == "__main__":
    sys.exit(main())
