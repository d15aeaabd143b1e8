"""`consultbot peer-review summary --year YEAR [--lang xx] -o FILE`: the year's peer reviews for the senior
officials' meeting (DOCX). A bad year or language: a message on stderr, exit status 1, no file written. Imports
only what the command uses when it runs (see bot/hlcm/cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings


def _summary(settings: Settings, args: argparse.Namespace) -> int:
    from bot.errors import DomainError
    from bot.hlcm.cli import prepare
    from bot.peer_review.summary import summary_docx
    from bot.people.language import document_language
    from bot.texts import t_plain
    from storage.db import session_scope

    engine = prepare(settings)
    try:
        language = document_language(args.lang)
        with session_scope(engine) as session:
            data, count = summary_docx(session, args.year, language)
    except DomainError as exc:
        print(t_plain(exc.key, None, **exc.params), file=sys.stderr)
        return 1
    out = Path(args.out)
    out.write_bytes(data)
    print(t_plain("peer_review.cli_written", None, path=str(out), year=args.year, count=count))
    return 0


def add_parsers(sub) -> None:
    review = sub.add_parser("peer-review", help="peer reviews of entities' environmental profiles")
    what = review.add_subparsers(dest="peer_review_command", required=True)
    summary = what.add_parser("summary", help="the year's peer reviews for the senior officials' meeting (DOCX)")
    summary.add_argument("--year", required=True, help="the year of the reviews, e.g. 2014")
    summary.add_argument("--lang", default="en", help="the document's language: en, fr, es, zh, ru or ar "
                         "(default en; Arabic is right to left)")
    summary.add_argument("-o", "--out", required=True, help="the file to write")
    summary.set_defaults(run=_summary)
