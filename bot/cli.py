"""`consultbot`: serve, console, seed, db upgrade, grant."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

# Only argparse and each area's parser run at import: a command loads what it needs when it runs,
# so `consultbot --help` costs about what a bare interpreter does (docs/benchmarks.md).
from bot.documents.cli import add_parser as add_doc_parser
from bot.inputs.cli import add_parsers as add_matrix_parsers
from bot.meetings.cli import add_parsers as add_meeting_parsers
from bot.hlcm.cli import add_parsers as add_hlcm_parsers
from bot.digests.cli import add_parser as add_digest_parser
from bot.entities.cli import add_parser as add_entities_parser
from bot.mapping.cli import add_parsers as add_mapping_parsers
from bot.peer_review.cli import add_parsers as add_peer_review_parsers

if TYPE_CHECKING:
    from bot.settings import Settings


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio
    import gc

    from bot.scheduler.instance_lock import InstanceLocked, hold
    from bot.startup import bolt_app, configure_logging, prepare, reminder_runner
    from bot.texts import t_plain

    settings.require_slack(socket=args.socket)
    configure_logging(settings.log_level, settings.log_format or "json")
    try:
        lock = hold(settings.database_url)  # noqa: F841 - held until the process ends
    except InstanceLocked as exc:
        print(f"consultbot: {t_plain('cli.instance_locked', None, path=str(exc.path), pid=exc.holder)}",
              file=sys.stderr)
        return 2
    engine = prepare(settings, first_start=True)
    app = bolt_app(settings, engine)
    runner = reminder_runner(settings, engine)
    if args.socket:
        from bot.socket_mode import serve_socket_mode

        return asyncio.run(serve_socket_mode(app, settings.slack_app_token, runner))
    import uvicorn

    from bot.server import build_asgi
    from bot.slack.gate import Gate

    asgi = build_asgi(app, engine, Gate(settings.slack_signing_secret or "", settings.max_request_bytes), runner)
    gc.collect()
    gc.freeze()  # the ~130k objects of start-up leave the collector: no 40-50 ms full collections mid-burst
    uvicorn.run(asgi, host=args.host or settings.host, port=args.port or settings.port,
                log_level=settings.log_level, access_log=False, log_config=None)  # our handler (logs.configure)
    return 0


def _console(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console.shell import run_console

    return run_console(settings, database_url=args.database_url, user=args.user)


def _start(settings: Settings, args: argparse.Namespace) -> int:
    if settings.has_slack_credentials:
        args.socket = bool(settings.slack_app_token)
        args.host = args.port = None
        return _serve(settings, args)
    args.database_url, args.user = None, None
    return _console(settings, args)


def _seed(settings: Settings, args: argparse.Namespace) -> int:
    from bot.seed import seed
    from bot.startup import prepare
    from bot.texts import t_plain
    from storage.db import session_scope

    engine = prepare(settings)
    with session_scope(engine) as session:
        changed = seed(session)
    print(t_plain("cli.seeded", None, count=changed))
    return 0


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from bot.texts import t_plain
    from storage.db import make_engine
    from storage.migrate import upgrade

    upgrade(make_engine(settings.database_url))
    print(t_plain("cli.database_up_to_date", None))
    return 0


def _grant(settings: Settings, args: argparse.Namespace) -> int:
    from bot.entities.service import get_entity
    from bot.errors import DomainError
    from bot.processes.service import get_process
    from bot.roles.service import grant, parse_role
    from bot.startup import prepare
    from bot.texts import Ref, t_plain
    from storage.db import session_scope

    engine = prepare(settings)
    try:
        with session_scope(engine) as session:
            role = parse_role(args.role)
            process = get_process(session, args.process) if args.process else None
            entity = get_entity(session, args.entity) if args.entity else None
            grant(session, "cli", args.user_id, role, process, entity)
    except DomainError as exc:
        print(t_plain(exc.key, None, **exc.params), file=sys.stderr)
        return 1
    print(t_plain("cli.granted", None, user=args.user_id, role=Ref(f"roles.{role.value}")))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="consultbot", description="The EMG secretariat's consultations in Slack.")
    sub = root.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="serve Slack when credentials are set, else the console")
    start.set_defaults(run=_start)
    serve = sub.add_parser("serve", help="serve Slack over HTTP (or Socket Mode with --socket)")
    serve.add_argument("--socket", action="store_true", help="Socket Mode (needs SLACK_APP_TOKEN)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(run=_serve)
    console = sub.add_parser("console", help="the bot in this terminal, on a demo workspace, no Slack needed")
    console.add_argument("--database-url", help="default: a fresh demo database in a temporary folder")
    console.add_argument("--user", help="start as this Slack user ID of the demo")
    console.set_defaults(run=_console)
    sub.add_parser("seed", help="load the bundled UN entities (idempotent)").set_defaults(run=_seed)
    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="run the migrations").set_defaults(run=_db_upgrade)
    grant = sub.add_parser("grant", help="give a Slack user a role")
    grant.add_argument("user_id")
    grant.add_argument("role", help="secretariat, chair, focal_point or observer")
    grant.add_argument("process", nargs="?")
    grant.add_argument("entity", nargs="?")
    grant.set_defaults(run=_grant)
    add_matrix_parsers(sub)
    add_meeting_parsers(sub)
    add_hlcm_parsers(sub)
    add_digest_parser(sub)
    add_doc_parser(sub)
    add_entities_parser(sub)
    add_mapping_parsers(sub)
    add_peer_review_parsers(sub)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from bot.reminders.registry import RegistryError
    from bot.settings import SettingsError, load_settings
    from bot.texts import CatalogError, use_default_language

    try:
        settings = load_settings()
        use_default_language(settings.default_locale)
        return args.run(settings, args)
    except SettingsError as exc:
        print(f"consultbot: {exc}", file=sys.stderr)
        return 2
    except CatalogError as exc:
        print(f"consultbot: prompts: {exc}", file=sys.stderr)
        return 2
    except RegistryError as exc:
        print(f"consultbot: reminders: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`consultbot console < script | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush does not fail again
        return 1


if __name__ == "__main__":
    sys.exit(main())
