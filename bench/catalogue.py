"""Loading the texts at start-up: the six languages' catalogues against English alone, side by side.

    python bench/catalogue.py [--runs 30] [--json FILE]

Each run loads, in a fresh `Catalog.load` as `consultbot serve` does at start (every prompts/<lang>/*.yaml
read and flattened, placeholders and plural categories checked, the keys the code uses found by parsing bot/),
first a prompts folder with English only, then one with en, fr, es, zh, ru and ar (alternating which goes
first). The five translations are the real catalogues of prompts/ when they are there, otherwise a
pseudo-translation of prompts/en/ (every text marked, one form per CLDR plural category), the same size.
Prints the median and p90 of each (wall clock) and the median CPU time, and the ratio; exit status 1 when the
six languages' median CPU time is 200 ms or more (issue 17's budget; CPU time, because a shared machine's load
stretches wall time). See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bot.texts import PROMPTS_DIR, Catalog, plural_categories  # noqa: E402

LANGUAGES = ("fr", "es", "zh", "ru", "ar")
BUDGET_MS = 200.0


def _pseudo(tree, language: str):
    if isinstance(tree, dict):
        if set(tree) == {"one", "other"}:
            return {c: f"[{language}] " + tree["other"] for c in plural_categories(language)}
        return {k: _pseudo(v, language) for k, v in tree.items()}
    return f"[{language}] {tree}"


def six_languages(dest: Path) -> tuple[Path, str]:
    """A prompts folder with the six languages (the real catalogues when prompts/ has them), and which."""
    if all((PROMPTS_DIR / language).is_dir() for language in LANGUAGES):
        return PROMPTS_DIR, "the translators' catalogues"
    shutil.copytree(PROMPTS_DIR, dest)
    for language in LANGUAGES:
        (dest / language).mkdir(exist_ok=True)
        for path in (dest / "en").glob("*.yaml"):
            tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            (dest / language / path.name).write_text(yaml.safe_dump(_pseudo(tree, language), allow_unicode=True),
                                                     encoding="utf-8")
    (dest / "languages.yaml").write_text(f"complete: [en, {', '.join(LANGUAGES)}]\n", encoding="utf-8")
    return dest, "pseudo-translations of prompts/en/"


def english_only(dest: Path) -> Path:
    shutil.copytree(PROMPTS_DIR, dest, ignore=lambda d, names: [n for n in names if Path(d) == PROMPTS_DIR
                                                                  and n in LANGUAGES])
    (dest / "languages.yaml").write_text("complete: [en]\n", encoding="utf-8")
    return dest


def _load_ms(root: Path) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one load (CPU time is what a loaded, shared machine distorts least)."""
    wall, cpu = time.perf_counter(), time.process_time()
    Catalog.load(root, check_code=ROOT / "bot")
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def _p90(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.9 * len(values))) - 1)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="catalogue load at start: six languages against English alone")
    p.add_argument("--runs", type=int, default=30, help="loads of each (default 30)")
    p.add_argument("--json", type=Path, help="write the figures to this file")
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="consultbot-catalogue-"))
    try:
        six, source = six_languages(tmp / "six")
        one = english_only(tmp / "en")
        texts = {name: sum(len(v) for v in Catalog.load(root, check_code=None).locales.values())
                 for name, root in (("en", one), ("six", six))}
        _load_ms(one), _load_ms(six)  # warm-up: imports, Babel's CLDR data, the file cache
        times: dict[str, list[float]] = {"en": [], "six": []}
        cpu: dict[str, list[float]] = {"en": [], "six": []}
        for run in range(args.runs):
            order = (("en", one), ("six", six)) if run % 2 == 0 else (("six", six), ("en", one))
            for name, root in order:
                wall_ms, cpu_ms = _load_ms(root)
                times[name].append(wall_ms)
                cpu[name].append(cpu_ms)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    f = {name: {"median_ms": statistics.median(v), "p90_ms": _p90(v), "cpu_median_ms": statistics.median(cpu[name]),
                "texts": texts[name]} for name, v in times.items()}
    f["ratio_median"] = f["six"]["median_ms"] / f["en"]["median_ms"]
    f["load_average"] = os.getloadavg()[0]
    f["source"], f["runs"] = source, args.runs
    rows = [("English only", f["en"]), ("en, fr, es, zh, ru, ar", f["six"])]
    print("| prompts | texts | median (wall) | p90 (wall) | median (CPU) |\n|---|---:|---:|---:|---:|")
    for label, x in rows:
        print(f"| {label} | {x['texts']} | {x['median_ms']:.1f} ms | {x['p90_ms']:.1f} ms | "
              f"{x['cpu_median_ms']:.1f} ms |")
    print(f"\nratio (median wall): {f['ratio_median']:.2f}; translations: {source}; {args.runs} runs each; "
          f"load average {f['load_average']:.1f} on {os.cpu_count()} CPUs; budget {BUDGET_MS:.0f} ms (CPU median)")
    if args.json:
        args.json.write_text(json.dumps(f, indent=2) + "\n")
    return 0 if f["six"]["cpu_median_ms"] < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
