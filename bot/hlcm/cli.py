"""`consultbot hlcm import FILE`: past years' figures from CSV; `consultbot hlcm summary YEAR --format
docx|md|xlsx --out FILE`: the year's progress summary for the HLCM (a bad year or a year without figures: a
message on stderr, exit status 1, no file written).

Everything is imported when a command runs, and only what it uses: not the Slack app, the scheduler or the
comment matrix (bot.startup.prepare would import them all), so a summary costs its own work (bench/hlcm.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings


def prepare(settings: Settings):
    """What bot.startup.prepare does that these commands need: the texts and the questionnaire checked, the
    database migrated."""
    from bot.hlcm.questionnaire import questionnaire
    from bot.texts import catalog
    from storage.db import make_engine
    from storage.migrate import upgrade

    catalog()
    questionnaire()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return engine


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_problems import print_problems
    from bot.hlcm.history import import_csv
    from bot.texts import t_plain
    from storage.db import session_scope

    path = Path(args.file)
    if not path.is_file():
        print(t_plain("hlcm.cli_no_file", None, path=str(path)), file=sys.stderr)
        return 1
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    engine = prepare(settings)
    with session_scope(engine) as session:
        report = import_csv(session, "cli", text, source=str(path))
        if not report.ok:
            session.rollback()
            return print_problems("hlcm.csv_failed", str(path), report.problems)
        print(t_plain("hlcm.csv_imported", None, path=str(path), count=len(report.imported),
                      years=", ".join(str(y) for y in report.years)))
    return 0


def _summary(settings: Settings, args: argparse.Namespace) -> int:
    from bot.errors import DomainError
    from bot.hlcm.report import build_report, parse_year, render
    from bot.people.language import document_language
    from bot.texts import t_plain
    from storage.db import session_scope

    engine = prepare(settings)
    try:
        year = parse_year(args.year)
        language = document_language(args.lang)
        with session_scope(engine) as session:
            report = build_report(session, year)
        data = render(report, args.format, language)
    except DomainError as exc:
        print(t_plain(exc.key, None, **exc.params), file=sys.stderr)
        return 1
    out = Path(args.out)
    out.write_bytes(data)
    print(t_plain("hlcm.cli_written", None, path=str(out), year=year, format=args.format))
    return 0


def add_parsers(sub) -> None:
    """Adds `consultbot hlcm` (made here, or reused when another module made it first) with `import` and `summary`."""
    hlcm = sub.choices.get("hlcm") or sub.add_parser("hlcm", help="the annual progress summary to the HLCM")
    what = next((a for a in hlcm._actions if isinstance(a, argparse._SubParsersAction)), None)
    if what is None:
        what = hlcm.add_subparsers(dest="hlcm_command", required=True)
    imp = what.add_parser("import", help="past years' figures from CSV: year,entity,<indicator ids>; all or nothing")
    imp.add_argument("file")
    imp.set_defaults(run=_import)
    summary = what.add_parser("summary", help="the year's progress summary: narrative, figures, charts, annex")
    summary.add_argument("year")
    summary.add_argument("--format", choices=("docx", "md", "xlsx"), default="docx")
    summary.add_argument("--out", required=True, help="the file to write")
    summary.add_argument("--lang", help="the document's language: en, fr, es, zh, ru or ar "
                         "(default DEFAULT_LOCALE, else en; Arabic is right to left)")
    summary.set_defaults(run=_summary)
