"""Ours against a baseline, side by side in the same run: the timing loop and the Markdown table that
bench/matrix.py and bench/mapping.py share.

A comparison is (what, ours, baseline name, baseline, goal ratio or None). Each repetition runs every pair,
alternating which goes first, `gc.collect()` before each timing; medians."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

Comparison = tuple[str, Callable[[], object], str, Callable[[], object], float | None]


def timed(fn: Callable[[], object]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(comparisons: list[Comparison], repeat: int) -> list[dict]:
    """Every pair warmed up once (imports, texts, caches), then `repeat` timings of each side."""
    for _, ours, _, base, _ in comparisons:
        ours(), base()
    samples: list[dict[str, list[float]]] = [{"ours": [], "baseline": []} for _ in comparisons]
    for rep in range(repeat):
        for i, (_, ours, _, base, _) in enumerate(comparisons):
            order = [("ours", ours), ("baseline", base)]
            for side, fn in order if rep % 2 == 0 else reversed(order):
                samples[i][side].append(timed(fn))
    results = []
    for (name, _, base_name, _, goal), sample in zip(comparisons, samples):
        ours_s, base_s = statistics.median(sample["ours"]), statistics.median(sample["baseline"])
        results.append({"what": name, "baseline": base_name, "ours_s": ours_s, "baseline_s": base_s,
                        "ratio": ours_s / base_s, "goal": goal, "samples": sample})
    return results


def missed(results: list[dict]) -> list[dict]:
    return [r for r in results if r["goal"] is not None and r["ratio"] > r["goal"]]


def print_table(results: list[dict], unit: str = "s") -> None:
    """The Markdown table: seconds (3 decimals) or milliseconds (1 decimal)."""
    scale, digits = (1000, 1) if unit == "ms" else (1, 3)
    print(f"| what | ours {unit} | baseline | baseline {unit} | ratio ours / baseline | goal |")
    print("| --- | ---: | --- | ---: | ---: | --- |")
    for r in results:
        goal = "—" if r["goal"] is None else f"≤ {r['goal']:g} {'met' if r['ratio'] <= r['goal'] else 'MISSED'}"
        ours, base = f"{r['ours_s'] * scale:.{digits}f}", f"{r['baseline_s'] * scale:.{digits}f}"
        print(f"| {r['what']} | {ours} | {r['baseline']} | {base} | {r['ratio']:.2f} | {goal} |")


def plain_docx_table(doc, header: list[str], rows: list[list[str]]) -> bytes:
    """The fastest plain python-docx way we found: `add_table(rows=n + 1)`, then `cell.text` row by row."""
    import io

    table = doc.add_table(rows=len(rows) + 1, cols=len(header))
    table.style = "Table Grid"
    for row, values in zip(table.rows, [header] + rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def plain_xlsx(sheet: str, lines, header: list, rows: list[list], *more: tuple) -> bytes:
    """openpyxl write-only mode, `ws.append(values)` for each title line, the header and each row; no styles.
    `more`: further sheets, each (name, lines, header, rows)."""
    import io

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for name, above, head, body in ((sheet, lines, header, rows), *more):
        ws = wb.create_sheet(name)
        for line in above:
            ws.append([line])
        ws.append(head)
        for row in body:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
