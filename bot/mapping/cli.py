"""`consultbot mapping export PROCESS SURVEY --what matrix|catalogue --format xlsx|docx|csv --out FILE
[--type TYPE] [--topic TOPIC]` and `consultbot mapping show PROCESS SURVEY` (who covers each target, who
volunteered to lead or facilitate it, the gaps). A bad name or filter: a message on stderr, exit status 1, no
file written. Imports only what a command uses when it runs (see bot/hlcm/cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings


def _loaded(settings: Settings, args: argparse.Namespace):
    from bot.hlcm.cli import prepare
    from bot.mapping.matrix import load
    from bot.mapping.service import get_mapping
    from bot.mapping.survey import surveys
    from storage.db import session_scope

    surveys()
    engine = prepare(settings)
    with session_scope(engine) as session:
        return load(session, get_mapping(session, args.process, args.survey))


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.errors import DomainError
    from bot.mapping.exports import export
    from bot.texts import t_plain

    try:
        data = export(_loaded(settings, args), args.what, args.format, None, args.type, args.topic)
    except DomainError as exc:
        print(t_plain(exc.key, None, **exc.params), file=sys.stderr)
        return 1
    out = Path(args.out)
    out.write_bytes(data)
    print(t_plain("mapping.cli_written", None, path=str(out), what=args.what, survey=args.survey,
                  process=args.process, format=args.format))
    return 0


def _show(settings: Settings, args: argparse.Namespace) -> int:
    from bot.errors import DomainError
    from bot.texts import t_plain

    try:
        m = _loaded(settings, args)
    except DomainError as exc:
        print(t_plain(exc.key, None, **exc.params), file=sys.stderr)
        return 1
    nobody = t_plain("mapping.nobody", None)
    for target in m.survey.targets:
        c = m.coverage(target.id)
        print(t_plain("mapping.cli_target", None, target=target.label, covering=", ".join(c.covering) or nobody,
                      leads=", ".join(c.leads) or nobody, facilitators=", ".join(c.facilitators) or nobody))
    print(t_plain("mapping.cli_gaps", None, targets=m.survey.target_names,
                  gaps=", ".join(t.label for t in m.gaps) or nobody))
    return 0


def add_parsers(sub) -> None:
    from bot.mapping import FORMATS, WHAT

    mapping = sub.add_parser("mapping", help="mapping surveys: who in the UN system does what, per target")
    what = mapping.add_subparsers(dest="mapping_command", required=True)
    exp = what.add_parser("export", help="the mapping matrix or the catalogue of products, as a file")
    exp.add_argument("process", help="the process handle")
    exp.add_argument("survey", help="the survey id: aichi, chemicals, green_economy")
    exp.add_argument("--what", choices=WHAT, default="matrix")
    exp.add_argument("--format", choices=FORMATS, default="xlsx")
    exp.add_argument("--type", help="catalogue: only products of this type")
    exp.add_argument("--topic", help="catalogue: only products on this topic")
    exp.add_argument("--out", required=True, help="the file to write")
    exp.set_defaults(run=_export)
    show = what.add_parser("show", help="who covers each target, who volunteered to lead it, and the gaps")
    show.add_argument("process")
    show.add_argument("survey")
    show.set_defaults(run=_show)
