"""`consultbot export ics MEETING --out FILE`: a meeting's iCalendar file, the same bytes as `/consult meeting ics`.

Heavy imports wait until a command runs, so `consultbot --help` stays fast."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings


def _export_ics(settings: Settings, args: argparse.Namespace) -> int:
    from bot.errors import DomainError
    from bot.meetings.service import calendar_file
    from bot.startup import prepare
    from bot.texts import t_plain
    from storage.db import session_scope

    engine = prepare(settings)
    try:
        with session_scope(engine) as session:
            data, name, calendar = calendar_file(session, args.meeting)
    except DomainError as exc:
        print(t_plain(exc.key, None, **exc.params), file=sys.stderr)
        return 1
    out = Path(args.out or name)
    out.write_bytes(data)
    print(t_plain("meetings.cli_written", None, path=str(out), size=len(data), id=calendar.meeting_id,
                  method=calendar.method, sequence=calendar.sequence))
    return 0


def add_parsers(sub) -> None:
    """Adds `ics` under `consultbot export` (made by bot/inputs/cli.py), or makes `export` if it is not there."""
    export = sub.choices.get("export") or sub.add_parser("export", help="export a file")
    what = next((a for a in export._actions if isinstance(a, argparse._SubParsersAction)), None)
    if what is None:
        what = export.add_subparsers(dest="what", required=True)
    ics = what.add_parser("ics", help="a meeting's iCalendar file (.ics): METHOD:REQUEST, or CANCEL once cancelled")
    ics.add_argument("meeting", help="the meeting number, as in its invitation")
    ics.add_argument("--out", help="default: PROCESS-meeting-N.ics")
    ics.set_defaults(run=_export_ics)
