"""The Bolt app: which listener answers what. Listeners ack first, then work."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_sdk.web.async_client import AsyncWebClient

from bot import idempotency
from bot.slack import (directory, exports, files, ids, inputs, joins, meetings, outcomes, polls, processes, reminders,
                       rounds)
from bot.slack import datacall
from bot.slack import digests
from bot.slack import hlcm
from bot.slack import language
from bot.slack import mapping
from bot.slack import mapping_extend
from bot.slack import peer_review
from bot.slack import people
from bot.slack import installs
from bot.slack import entities as entity_admin
from bot.slack import entity_select
from bot.slack.home import publish_home
from bot.slack.payloads import AppHomeOpened, BlockAction, SlashCommand, ViewSubmission, enterprise_of
from bot.slack.errors import guarded, report
from bot.slack.forms import parse_metadata, parse_value
from bot.slack.response_urls import allowed_response_url
from bot.slack.reply import Ctx
from bot.slack.runtime import Deps, caller
from bot.texts import t_plain

log = logging.getLogger(__name__)
Subcommand = Callable[[SlashCommand, Ctx], Awaitable[None]]

SUBCOMMANDS: dict[str, Subcommand] = {
    "help": directory.show_help,
    "whoami": directory.show_whoami,
    "entities": directory.show_entities,
    "entity": entity_admin.entity_command,
    "list": directory.show_list,
    "join": joins.join,
    "new": lambda cmd, ctx: processes.open_new_process(ctx, cmd.trigger_id, cmd.channel_id),
    "grant": lambda cmd, ctx: directory.change_role(cmd, ctx, giving=True),
    "revoke": lambda cmd, ctx: directory.change_role(cmd, ctx, giving=False),
    "round": rounds.round_command,
    "status": rounds.status,
    "inputs": inputs.list_inputs,
    "export": exports.export,
    "doc": files.doc_command,
    "import": files.import_command,
    "reminders": reminders.reminders_command,
    "mute": reminders.mute_command,
    "unmute": reminders.unmute_command,
    "meetings": outcomes.meetings_command,
    "action": outcomes.action_command,
    "poll": polls.poll_command,
    "meeting": meetings.meeting_command,
    "datacall": datacall.datacall_command,
    "hlcm": hlcm.hlcm_command,
    "digest": digests.digest_command,
    "language": language.language_command,
    "process": language.process_command,
    "mapping": mapping.mapping_command,
    "review": peer_review.review_command,
}
BUTTONS = {
    ids.ACTION_INPUT_OPEN: inputs.open_input,
    ids.ACTION_NIL_RETURN: inputs.no_comments,
    ids.ACTION_INPUT_EDIT: inputs.open_edit,
    ids.ACTION_INPUT_WITHDRAW: inputs.withdraw,
    ids.ACTION_INPUT_RESPOND: inputs.open_respond,
    ids.ACTION_INPUT_HISTORY: inputs.show_history,
    ids.ACTION_INPUTS_PREVIOUS: inputs.turn_page,
    ids.ACTION_INPUTS_NEXT: inputs.turn_page,
    ids.ACTION_INPUTS_UNANSWERED: inputs.turn_page,
    ids.ACTION_REMIND_TOMORROW: reminders.remind_tomorrow,
    ids.ACTION_ESCALATION_EXTEND: reminders.open_extend,
    ids.ACTION_OUTCOMES_OPEN: outcomes.open_from_button,
    ids.ACTION_ITEM_DONE: outcomes.done_button,
    ids.ACTION_POLL_ANSWER: polls.open_answer,
    ids.ACTION_POLL_SCHEDULE: polls.open_schedule,
    ids.ACTION_MEETING_ATTENDING: meetings.open_attending,
    ids.ACTION_MEETING_TENTATIVE: meetings.answer,
    ids.ACTION_MEETING_NOT_ATTENDING: meetings.answer,
    ids.ACTION_DATACALL_FILL: datacall.fill_button,
    ids.ACTION_MAPPING_FILL: mapping.fill_button,
    ids.ACTION_REVIEW_EVIDENCE: peer_review.evidence_button,
    ids.ACTION_MAPPING_EXTEND: mapping_extend.extend_button,
}
SUBMISSIONS = {
    ids.VIEW_NEW_PROCESS: processes.submit_new_process,
    ids.VIEW_ROUND_OPEN: rounds.submit_open,
    ids.VIEW_INPUT: inputs.save_input,
    ids.VIEW_RESPOND: inputs.save_response,
    ids.VIEW_DOC_IMPORT: files.submit_doc_import,
    ids.VIEW_MATRIX_IMPORT: files.submit_matrix_import,
    ids.VIEW_ESCALATION_EXTEND: reminders.submit_extend,
    ids.VIEW_OUTCOMES: outcomes.submit_outcomes,
    ids.VIEW_POLL_NEW: polls.submit_new,
    ids.VIEW_POLL_ANSWER: polls.submit_answer,
    ids.VIEW_MEETING_NEW: meetings.submit_new,
    ids.VIEW_MEETING_ATTEND: meetings.save_attending,
    ids.VIEW_DATACALL_OPEN: datacall.submit_open,
    ids.VIEW_DATACALL_CHOOSE: datacall.submit_choice,
    ids.VIEW_DATACALL_PAGE: datacall.save_page,
    ids.VIEW_DATACALL_REASONS: datacall.save_reasons,
    ids.VIEW_DATACALL_RETURN: datacall.submit_return,
    ids.VIEW_MAPPING_OPEN: mapping.submit_open,
    ids.VIEW_MAPPING_PAGE: mapping.save_page,
    ids.VIEW_MAPPING_RETURN: mapping.submit_return,
    ids.VIEW_REVIEW_OPEN: peer_review.submit_open,
    ids.VIEW_REVIEW_PAGE: peer_review.save_page,
    ids.VIEW_MAPPING_EXTEND: mapping_extend.submit_extend,
}
# Subcommands and buttons that open a modal (trigger_id is single use, valid 3 s): no waiting after their ack.
TRIGGERS = {"new", "round", "doc", "import", ids.ACTION_INPUT_OPEN, ids.ACTION_INPUT_EDIT, ids.ACTION_INPUT_RESPOND,
            ids.ACTION_ESCALATION_EXTEND, ids.ACTION_OUTCOMES_OPEN, "poll", ids.ACTION_POLL_ANSWER,
            ids.ACTION_POLL_SCHEDULE, "meeting", ids.ACTION_MEETING_ATTENDING}
TRIGGERS |= {"datacall", ids.ACTION_DATACALL_FILL}  # open, fill and return open a modal
TRIGGERS |= {"mapping", ids.ACTION_MAPPING_FILL, ids.ACTION_MAPPING_EXTEND}  # likewise
TRIGGERS |= {"review", ids.ACTION_REVIEW_EVIDENCE}  # open and evidence open a modal
ACTIONS = (ids.ACTION_JOIN_APPROVE, ids.ACTION_JOIN_DECLINE, ids.ACTION_OPEN_NEW_PROCESS, *BUTTONS)
VIEWS = tuple(SUBMISSIONS)
EVENTS = ("app_home_opened", "user_change", *installs.REMOVAL_EVENTS)
CATCH_ALLS = ("not_ours", "no_options")  # the listeners registered last, for what the bot does not handle


def checked_action(body: dict) -> BlockAction:
    """The click, with its button's value parsed by the model registered for it (bot/slack/forms.py)."""
    action = BlockAction.model_validate(body)
    action.ref = parse_value(action.action.action_id, action.action.value)
    return action


def checked_submission(body: dict) -> ViewSubmission:
    """The submission, with its private_metadata parsed by the model registered for its view."""
    submission = ViewSubmission.model_validate(body)
    submission.meta = parse_metadata(submission.view.callback_id, submission.view.private_metadata)
    return submission


def build_app(deps: Deps, client: AsyncWebClient, signing_secret: str, oauth: AsyncOAuthFlow | None = None,
              observe: Callable[[dict], None] | None = None) -> AsyncApp:
    """`oauth` (install by OAuth, bot/slack/oauth.py): each request's token comes from its workspace's installation.
    `observe(body)` runs first on every request (bot/slack/request_kind.bind_request: logs and metrics)."""
    app = AsyncApp(client=client, signing_secret=signing_secret, process_before_response=False, oauth_flow=oauth,
                   user_facing_authorize_error_message=t_plain("install.not_installed", None) if oauth else None)

    @app.middleware
    async def before_listeners(body, context, next) -> None:  # noqa: A002 (Bolt's own name)
        """One middleware (Bolt works out each middleware's arguments on every request): the request observed,
        and a response_url the payload carries used only when its host is Slack's (or the configured API's)."""
        if observe is not None:
            observe(body)
        url = context.get("response_url")
        if url and not allowed_response_url(str(url), deps.settings):
            log.warning("ignored a response_url outside the allowed hosts from %s", context.get("user_id"))
            context.pop("response_url", None)
            context.pop("respond", None)
        return await next()

    @app.command(ids.COMMAND)
    @guarded
    async def consult(ack, body, respond, client, context) -> None:
        await ack()
        cmd = SlashCommand.model_validate(body)
        if cmd.subcommand not in TRIGGERS:  # those open a modal: their trigger_id must be used at once
            await deps.after_ack()
        ctx = Ctx(deps, client, await caller(deps, client, cmd.user_id, cmd.team_id, context, cmd.enterprise_id),
                  respond)
        handler = SUBCOMMANDS.get(cmd.subcommand)
        if handler is None:
            await directory.show_help(cmd, ctx, unknown=cmd.subcommand)
        else:
            await handler(cmd, ctx)

    @app.action(ids.ACTION_JOIN_APPROVE)
    @app.action(ids.ACTION_JOIN_DECLINE)
    @guarded
    async def join_decision(ack, body, respond, client, context) -> None:
        await ack()
        await deps.after_ack()
        action = checked_action(body)
        ctx = Ctx(deps, client, await caller(deps, client, action.user.id, action.user.team_id, context,
                                        enterprise_of(action)), respond)
        await joins.decide(action, ctx, approve=action.action.action_id == ids.ACTION_JOIN_APPROVE)

    @app.action(ids.ACTION_OPEN_NEW_PROCESS)
    @guarded
    async def open_new_process(ack, body, client, context) -> None:
        await ack()
        action = checked_action(body)
        ctx = Ctx(deps, client, await caller(deps, client, action.user.id, action.user.team_id, context,
                                        enterprise_of(action)))
        await processes.open_new_process(ctx, action.trigger_id, None)

    @app.action(re.compile("^(" + "|".join(re.escape(a) for a in BUTTONS) + ")$"))
    @guarded
    async def button_clicked(ack, body, respond, client, context) -> None:
        await ack()
        action = checked_action(body)
        if action.action.action_id not in TRIGGERS:
            await deps.after_ack()
        ctx = Ctx(deps, client, await caller(deps, client, action.user.id, action.user.team_id, context,
                                        enterprise_of(action)), respond)
        await BUTTONS[action.action.action_id](action, ctx)

    @app.view(re.compile("^(" + "|".join(re.escape(v) for v in SUBMISSIONS) + ")$"))
    @guarded
    async def view_submitted(ack, body, client, context) -> None:
        """Each submission handler acks itself: with field errors, or to close the modal."""
        submission = checked_submission(body)
        ctx = Ctx(deps, client, await caller(deps, client, submission.user.id, submission.user.team_id, context,
                                        enterprise_of(submission)))
        await SUBMISSIONS[submission.view.callback_id](submission, ctx, ack)

    @app.event("app_home_opened")
    @guarded
    async def home_opened(ack, body, event, client, context) -> None:
        await ack()
        await deps.after_ack()
        opened = AppHomeOpened.model_validate(event)
        if opened.tab not in (None, "home"):
            return
        if not await deps.db(idempotency.claim, f"event:{body.get('event_id')}"):
            return
        who = await caller(deps, client, opened.user, body.get("team_id"), context, body.get("enterprise_id"))
        await publish_home(Ctx(deps, client, who))

    @app.event("user_change")
    @guarded
    async def user_change(ack, body, event) -> None:
        await ack()
        await deps.after_ack()
        if await deps.db(idempotency.claim, f"event:{body.get('event_id')}"):
            await people.user_changed(deps, event)

    installs.register(app, deps, oauth.settings.installation_store if oauth else None)

    # Registered last, so they answer only what nothing above did: an action, view, command or event the
    # bot does not know (a stale message from an older version, or a forged one) is acked and logged.
    @app.action(re.compile(".*"))
    @app.view(re.compile(".*"))
    @app.view_closed(re.compile(".*"))
    @app.shortcut(re.compile(".*"))
    @app.command(re.compile(".*"))
    @app.event(re.compile(".*"))
    async def not_ours(ack, body) -> None:
        await ack()
        log.info("acked an unknown %s request", str(body.get("type") or body.get("command") or "?")[:40])

    @app.options(ids.INPUT)
    async def suggest_entities(ack, body) -> None:
        """An entity picker past 100 entities (bot/slack/entity_select.py); any other menu: no options."""
        try:
            found = await entity_select.suggestions(deps, body)
        except Exception:  # a forged or stale menu: no options, logged
            log.warning("no options for a block_suggestion", exc_info=True)
            found = []
        await ack(options=found)

    @app.options(re.compile(".*"))
    async def no_options(ack) -> None:
        await ack(options=[])

    @app.error
    async def on_error(error, body, respond, client, context) -> None:
        await report(error, {"respond": respond, "client": client, "context": context})

    return app

