"""`consultbot doc import PROCESS FILE` and `consultbot doc diff PROCESS`.

Heavy imports wait until a command runs, so `consultbot --help` stays fast."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers) -> None:
    doc = subparsers.add_parser("doc", help="versioned documents of a process: import a draft, compare versions")
    sub = doc.add_subparsers(dest="doc_command", required=True)
    imp = sub.add_parser("import", help="import a DOCX or Markdown draft as the next version of a document")
    imp.add_argument("process", help="the process's short name")
    imp.add_argument("file", help="a .docx or Markdown file")
    imp.add_argument("--title", help="the document's title (default: the draft's title, else the file name)")
    imp.add_argument("--slug", help="the document's short name; the same slug adds a version (default: from the title)")
    imp.add_argument("--as", dest="as_user", metavar="USER_ID",
                     help="who imports: a secretariat member or chair (default: the first secretariat member)")
    imp.set_defaults(run=run_import)
    diff = sub.add_parser("diff", help="what changed between two versions, section by section")
    diff.add_argument("process", help="the process's short name")
    diff.add_argument("--slug", help="which document, when the process has several")
    diff.add_argument("--from", dest="from_version", type=int, metavar="N", help="default: the version before --to")
    diff.add_argument("--to", dest="to_version", type=int, metavar="M", help="default: the latest version")
    diff.set_defaults(run=run_diff)


def _read(path: Path) -> bytes:
    from bot.documents.parse import MAX_BYTES, too_large
    from bot.errors import Invalid

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise too_large(size)
        return path.read_bytes()
    except OSError as exc:
        raise Invalid("documents.cli_cannot_read", path=str(path), error=exc.strerror or str(exc)) from None


def _actor(session, user_id: str | None):
    from bot.errors import NotFound
    from bot.people.service import find_person
    from bot.roles.service import secretariat_user_ids

    if user_id:
        person = find_person(session, user_id)
        if person is None:
            raise NotFound("documents.cli_unknown_user", user=user_id)
        return person
    secretariat = secretariat_user_ids(session)
    if not secretariat:
        raise NotFound("documents.cli_no_secretariat")
    return find_person(session, secretariat[0])


def _import_lines(session, args: argparse.Namespace, data: bytes) -> list[str]:
    from bot.documents.render import change_lines, summary
    from bot.documents.service import import_version
    from bot.texts import t_plain

    actor = _actor(session, args.as_user)
    result = import_version(session, actor, args.process, Path(args.file).name, data,
                            title=args.title, slug=args.slug)
    lines = [t_plain("documents.imported", None, title=result.document.title, version=result.version.number,
                     sections=len(result.sections))]
    if result.previous is not None:
        lines.append(t_plain("documents.changes_since", None, version=result.previous.number,
                             summary=summary(result.changes)))
        lines.extend(change_lines(result.changes, unchanged=False, diffs=False))
    return lines


def _diff_lines(session, args: argparse.Namespace) -> list[str]:
    from bot.documents.render import change_lines, summary
    from bot.documents.service import diff_versions, get_document, get_version, versions_of
    from bot.errors import Invalid
    from bot.texts import t_plain

    document = get_document(session, args.process, args.slug)
    versions = versions_of(session, document)
    new = get_version(session, document, args.to_version) if args.to_version else versions[-1]
    if args.from_version:
        old = get_version(session, document, args.from_version)
    else:
        earlier = [v for v in versions if v.number < new.number]
        if not earlier:
            raise Invalid("documents.diff_needs_two", slug=document.slug)
        old = earlier[-1]
    changes = diff_versions(session, old.id, new.id)
    header = t_plain("documents.diff_header", None, title=document.title, slug=document.slug, old=old.number,
                     new=new.number, summary=summary(changes))
    return [header, *change_lines(changes)]


def _run(settings, work) -> int:
    from bot.errors import DomainError
    from bot.startup import prepare
    from bot.texts import t_plain
    from storage.db import session_scope

    engine = prepare(settings)
    try:
        with session_scope(engine) as session:
            lines = work(session)
    except DomainError as exc:
        print(t_plain(exc.key, None, **exc.params), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print("\n".join(lines))
    return 0


def run_import(settings, args: argparse.Namespace) -> int:
    from bot.errors import DomainError
    from bot.texts import t_plain

    try:
        data = _read(Path(args.file))
    except DomainError as exc:
        print(t_plain(exc.key, None, **exc.params), file=sys.stderr)
        return 1
    return _run(settings, lambda session: _import_lines(session, args, data))


def run_diff(settings, args: argparse.Namespace) -> int:
    return _run(settings, lambda session: _diff_lines(session, args))
