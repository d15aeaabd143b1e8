"""`consultbot digest PROCESS --format md|docx|html --out FILE [--since YYYY-MM-DD]`.

Heavy imports wait until a command runs, so `consultbot --help` stays fast."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings


def _since(session, handle: str, text: str | None, now: datetime) -> datetime | None:
    from bot.errors import Invalid
    from bot.processes.service import get_process
    from bot.timezones import to_utc

    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid("digests.errors.since_format", value=text[:20]) from None
    moment = to_utc(datetime.combine(day, time(0, 0)), get_process(session, handle).timezone)
    if moment > now:
        raise Invalid("digests.errors.since_future", value=day.isoformat())
    return moment


def _digest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.digests.files import FORMATS, digest_file
    from bot.digests.service import generate
    from bot.errors import DomainError
    from bot.people.language import document_language
    from bot.startup import prepare
    from bot.texts import t_plain
    from bot.timezones import local_text
    from storage.db import session_scope
    from storage.models import DigestKind
    from storage.types import utcnow

    if args.format not in FORMATS:
        print(t_plain("digests.errors.format", None, value=args.format), file=sys.stderr)
        return 2
    engine = prepare(settings)
    now = utcnow()
    try:
        language = document_language(args.lang)
        with session_scope(engine) as session:
            digest = generate(session, None, args.process, DigestKind.CLI, _since(session, args.process, args.since,
                                                                                 now), now)
    except DomainError as exc:
        print(t_plain(exc.key, None, **exc.params), file=sys.stderr)
        return 1
    data, name = digest_file(digest, args.format, language)
    out = Path(args.out or name)
    out.write_bytes(data)
    print(t_plain("digests.cli_written", None, path=str(out), size=len(data), process=digest.handle,
                  since=local_text(digest.since, digest.timezone)))
    return 0


def add_parser(sub) -> None:
    digest = sub.add_parser("digest", help="a process's digest as a file: mandate, rounds, meetings, decisions, "
                                           "action items, what changed")
    digest.add_argument("process", help="the process's short name")
    digest.add_argument("--format", default="docx", help="md, docx or html (default docx)")
    digest.add_argument("--out", help="default: PROCESS-digest-DATE.FORMAT")
    digest.add_argument("--since", help="YYYY-MM-DD: changes since the start of that day in the process's zone "
                                        "(default: since the last digest, else the last 7 days)")
    digest.add_argument("--lang", help="the document's language: en, fr, es, zh, ru or ar "
                        "(default DEFAULT_LOCALE, else en; Arabic is right to left)")
    digest.set_defaults(run=_digest)
