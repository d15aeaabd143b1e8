"""`consultbot export matrix` and `consultbot import matrix`: the comment matrix from the command line.

Heavy imports wait until a command runs, so `consultbot --help` stays fast."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.inputs.formats import FORMATS

if TYPE_CHECKING:
    from bot.settings import Settings


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.errors import DomainError
    from bot.inputs.matrix import matrix_file, matrix_of
    from bot.people.language import document_language
    from bot.rounds.service import get_round
    from bot.startup import prepare
    from bot.texts import t_plain
    from storage.db import session_scope

    engine = prepare(settings)
    try:
        language = document_language(args.lang)
        with session_scope(engine) as session:
            round_ = get_round(session, args.process, args.round)
            data, name = matrix_file(matrix_of(session, round_), args.format, args.process, language)
    except DomainError as exc:
        print(t_plain(exc.key, None, **exc.params), file=sys.stderr)
        return 1
    out = Path(args.out or name)
    out.write_bytes(data)
    print(t_plain("cli.matrix_written", None, path=str(out), size=len(data)))
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.errors import DomainError
    from bot.exports.matrix_import import read_responses
    from bot.inputs.matrix import apply_responses, known_rows, matrix_of
    from bot.people.service import find_person
    from bot.roles.service import require_secretariat, secretariat_user_ids
    from bot.rounds.service import get_round
    from bot.startup import prepare
    from bot.texts import t_plain
    from storage.db import session_scope

    engine = prepare(settings)
    try:
        with session_scope(engine) as session:
            actor = find_person(session, args.as_user or (secretariat_user_ids(session) or [""])[0])
            if actor is None:
                print(t_plain("errors.no_secretariat", None), file=sys.stderr)
                return 1
            require_secretariat(session, actor)
            round_ = get_round(session, args.process, args.round)
            updates = read_responses(Path(args.file).read_bytes(), known_rows(matrix_of(session, round_)))
            count = apply_responses(session, actor, round_, updates)
    except DomainError as exc:
        print(t_plain(exc.key, None, **exc.params), file=sys.stderr)
        return 1
    print(t_plain("cli.matrix_imported", None, count=count))
    return 0


def add_parsers(sub) -> None:
    export = sub.add_parser("export", help="export a digest or a matrix")
    what = export.add_subparsers(dest="what", required=True)
    matrix = what.add_parser("matrix", help="the comment matrix of a round")
    matrix.add_argument("process")
    matrix.add_argument("--round", type=int, help="default: the latest")
    matrix.add_argument("--format", choices=FORMATS, default="xlsx")
    matrix.add_argument("--out", help="default: PROCESS-round-N-comment-matrix.FORMAT")
    matrix.add_argument("--lang", help="the document's language: en, fr, es, zh, ru or ar "
                        "(default DEFAULT_LOCALE, else en; Arabic is right to left)")
    matrix.set_defaults(run=_export)
    imports = sub.add_parser("import", help="import the secretariat's responses")
    what = imports.add_subparsers(dest="what", required=True)
    matrix = what.add_parser("matrix", help="a filled-in XLSX comment matrix (all or nothing)")
    matrix.add_argument("process")
    matrix.add_argument("file")
    matrix.add_argument("--round", type=int, help="default: the latest")
    matrix.add_argument("--as", dest="as_user", help="the secretariat member answering (default: the first)")
    matrix.set_defaults(run=_import)
