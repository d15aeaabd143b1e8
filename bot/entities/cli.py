"""`consultbot entities import FILE.csv`: the registry from CSV, all or nothing, problems by line (exit status 1)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_problems import print_problems
    from bot.entities.importer import import_csv
    from bot.startup import prepare
    from bot.texts import t_plain
    from storage.db import session_scope

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        print(t_plain("entities.cli_unreadable", None, path=str(path)), file=sys.stderr)
        return 1
    engine = prepare(settings)
    with session_scope(engine) as session:
        result = import_csv(session, "cli", text)
        if not result.ok:
            session.rollback()
            return print_problems("entities.csv_failed", str(path), result.problems)
    print(t_plain("entities.csv_imported", None, path=str(path), count=len(result.records), changed=result.changed))
    return 0


def add_parser(sub) -> None:
    entities = sub.add_parser("entities", help="the UN entities the bot knows")
    what = entities.add_subparsers(dest="entities_command", required=True)
    imp = what.add_parser("import", help="add or update entities from CSV: code,name,duty_station,timezone")
    imp.add_argument("file")
    imp.set_defaults(run=_import)
