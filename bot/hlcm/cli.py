"""`consultbot hlcm import FILE`: past years' figures from CSV. Later: `consultbot hlcm summary YEAR`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.hlcm.history import import_csv
from bot.settings import Settings
from bot.texts import t_plain
from storage.db import session_scope


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.startup import prepare

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
            print(t_plain("hlcm.csv_failed", None, path=str(path), count=len(report.problems)), file=sys.stderr)
            for problem in report.problems:
                print("  " + problem.text(), file=sys.stderr)
            return 1
        print(t_plain("hlcm.csv_imported", None, path=str(path), count=len(report.imported),
                      years=", ".join(str(y) for y in report.years)))
    return 0


def add_parsers(sub) -> None:
    """Adds `consultbot hlcm` (made here, or reused when another module made it first) with `import`."""
    hlcm = sub.choices.get("hlcm") or sub.add_parser("hlcm", help="the annual progress summary to the HLCM")
    what = next((a for a in hlcm._actions if isinstance(a, argparse._SubParsersAction)), None)
    if what is None:
        what = hlcm.add_subparsers(dest="hlcm_command", required=True)
    imp = what.add_parser("import", help="past years' figures from CSV: year,entity,<indicator ids>; all or nothing")
    imp.add_argument("file")
    imp.set_defaults(run=_import)
