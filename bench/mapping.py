"""Mapping matrix export: our writers against the plain library calls, in the same run.

    python bench/mapping.py [--entities 70] [--repeat 15] [--json FILE] [--max-ratio 1.5]

A synthetic Aichi mapping (the survey shipped in bot/data/mapping-aichi.yaml, 20 targets) answered by
`--entities` entities: each covers 2 to 8 targets with one to four of the four text answers, volunteers to lead
or facilitate about one target in five, and lists 0 to 5 products; one entity in ten has not answered. The
matrix (entities x targets: Lead, Facilitate, ✓, or "no answer", and the answers typed per target) is exported
by bot/mapping/exports.py, from the MappingMatrix to the bytes (the cells worked out from the answers, the
labels from the texts), and the same cells, already computed, are written by:

- XLSX: openpyxl write-only mode, two sheets (the matrix; the answers, a row per target and entity covering
  it), `ws.append(values)` for the title lines, the header and each row, no styles (the goal: ratio ≤ 1.5);
- DOCX: python-docx, `add_table(rows=n + 1, cols=21)` then `cell.text = ...`, then a heading and a table per
  target with who does what (for information);
- CSV: `csv.writer(...).writerows` into a StringIO, encoded: a row per entity, target and question answered
  (for information).

Each repetition runs every pair, alternating which goes first; `gc.collect()` before each timing. Prints median
seconds and the ratios ours / baseline as a Markdown table; `--json FILE` writes every sample. Exit status 1
when a ratio with a goal is above `--max-ratio`."""

from __future__ import annotations

import argparse
import csv
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

from bench.pairs import compare, missed, plain_xlsx, print_table  # noqa: E402
from bot.mapping.exports import answer_parts, answers_table, export, long_table, matrix_table  # noqa: E402
from bot.mapping.matrix import MappingMatrix, build  # noqa: E402
from bot.mapping.survey import surveys  # noqa: E402

GOAL_RATIO = 1.5
TEXTS = ["Guidance to parties on national strategies", "A global assessment every four years",
         "Indicator partnership member", "Decision XI/2 of the Conference of the Parties", "Capacity-building",
         "Regional workshops with the secretariats of the conventions", "Open data portal"]


def build_mapping(entities: int, seed: int = 2011) -> MappingMatrix:
    rng = random.Random(seed)
    survey = surveys()["aichi"]
    texts = [f.id for f in survey.text_fields]
    rows = []
    for n in range(1, entities + 1):
        if rng.random() < 0.1:
            rows.append((f"E{n:03d}", f"Entity {n}", None))
            continue
        grid = {}
        for target in rng.sample(survey.target_ids, rng.randint(2, 8)):
            answer = {f: rng.choice(TEXTS) for f in rng.sample(texts, rng.randint(1, len(texts)))}
            if rng.random() < 0.2:
                answer["volunteer"] = rng.choice(["lead", "facilitate"])
            grid[target] = answer
        products = [{"title": rng.choice(TEXTS), "type": rng.choice(list(survey.types)), "link": "https://x.org",
                     "topics": rng.sample(list(survey.topics), 2)} for _ in range(rng.randint(0, 5))]
        rows.append((f"E{n:03d}", f"Entity {n}", {"grid": grid, "products": products}))
    return build(survey, "Issue Management Group on Biodiversity", rows)


def _cells(table) -> tuple[list, list, list]:
    return list(table.lines), list(table.header), [list(r) for r in table.rows]


def baseline_xlsx(matrix, answers) -> bytes:
    return plain_xlsx("Mapping matrix", *matrix, ("Answers per target", *answers))


def baseline_docx(matrix, parts) -> bytes:
    lines, header, rows = matrix
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    table = doc.add_table(rows=len(rows) + 1, cols=len(header))
    for row, values in zip(table.rows, [header] + rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    for part in parts:
        doc.add_heading(part.heading, level=2)
        if not part.rows:
            doc.add_paragraph(part.empty)
            continue
        table = doc.add_table(rows=len(part.rows) + 1, cols=len(part.header))
        for row, values in zip(table.rows, [part.header, *part.rows]):
            for cell, value in zip(row.cells, values):
                cell.text = value
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def baseline_csv(lines, header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=70)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--max-ratio", type=float, default=GOAL_RATIO)
    args = parser.parse_args(argv)

    m = build_mapping(args.entities)
    # the same cells, computed once, for the baselines
    matrix, answers, parts = _cells(matrix_table(m)), _cells(answers_table(m)), answer_parts(m)
    long = _cells(long_table(m))
    comparisons = [  # (what, ours, baseline name, baseline, goal)
        ("XLSX matrix", lambda: export(m, "matrix", "xlsx"), "openpyxl write-only, `ws.append`, no styles",
         lambda: baseline_xlsx(matrix, answers), args.max_ratio),
        ("DOCX matrix", lambda: export(m, "matrix", "docx"), "python-docx `add_table(rows=n+1)` + `cell.text`",
         lambda: baseline_docx(matrix, parts), None),
        ("CSV matrix", lambda: export(m, "matrix", "csv"), "`csv.writer.writerows`", lambda: baseline_csv(*long),
         None),
    ]
    results = compare(comparisons, args.repeat)

    print(f"{args.entities} entities x {len(m.survey.targets)} targets, median of {args.repeat}; "
          f"Python {platform.python_version()}, openpyxl {openpyxl.__version__}, python-docx {docx.__version__}, "
          f"{platform.machine()}\n")
    print_table(results, "ms")
    if args.json:
        args.json.write_text(json.dumps({"entities": args.entities, "targets": len(m.survey.targets),
                                         "repeat": args.repeat, "results": results}, indent=2))
    return 1 if missed(results) else 0


if __name__ == "__main__":
    sys.exit(main())
