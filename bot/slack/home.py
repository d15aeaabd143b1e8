"""The App Home: the viewer's processes and roles; pending requests for the secretariat."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.joins.service import JoinView, pending_requests
from bot.mrkdwn import Raw, mention
from bot.reminders.overview import failed_since
from bot.processes.render import process_line
from bot.processes.service import ProcessSummary, summaries
from bot.roles.render import role_line
from bot.roles.service import RoleHeld, is_secretariat, roles_of
from bot.rounds.render import deadline_mrkdwn
from bot.inputs.home import Answered, HomeRound, home_rounds
from bot.polls.render import home_polls
from bot.polls.service import waiting_for
from bot.slack import ids
from bot.slack.outcomes import home_blocks as next_meetings_blocks
from bot.slack.blocks import Block, actions, button, context, divider, header, home, section, sections
from bot.slack.datacall import with_home_blocks  # the HLCM data call waiting for the viewer's entities
from bot.mapping.home import with_home_blocks as with_mapping_blocks  # the mappings, likewise
from bot.installs.service import unreachable_focal_points
from bot.slack.reply import Ctx
from bot.slack.workspaces import unreachable_blocks
from storage.installations import installed_workspaces
from bot.texts import t, t_count, t_plain
from storage.models import Person
from storage.types import utcnow


FAILED_WINDOW = timedelta(days=7)


def render_home(roles: list[RoleHeld], processes: list[ProcessSummary], pending: list[JoinView],
                is_secretariat: bool, locale: str | None,
                rounds: list[HomeRound] = (), failed: list[tuple[str, int]] = (),
                meetings: list[Block] = (), polls: list[Block] = (), unreachable: list[Block] = ()) -> dict:
    blocks: list[Block] = [header(t_plain("home.header", locale))]
    blocks += _round_blocks(rounds, locale)
    if polls:
        blocks += [*polls, divider()]
    if meetings:
        blocks += [*meetings, divider()]
    blocks.append(section(t("home.roles", locale)))
    blocks += sections([role_line(r, locale) for r in roles] or [t("home.no_roles", locale)])
    mine = {r.process_handle for r in roles if r.process_handle}
    listed = [s for s in processes if is_secretariat or s.process.handle in mine]
    blocks += [divider(), section(t("home.processes", locale))]
    blocks += sections([process_line(s, locale) for s in listed] or [t("home.no_processes", locale)])
    if is_secretariat:
        if failed:
            lines = ", ".join(f"`{handle}` {count}" for handle, count in failed)
            blocks += [divider(), section(t("home.reminders_failed", locale, processes=Raw(lines)))]
        if unreachable:
            blocks += [divider(), *unreachable]
        blocks += [divider(), section(t("home.pending", locale, count=len(pending)))]
        for view in pending[:20]:
            value = str(view.request.id)
            blocks.append(section(t("join.ask_secretariat", locale, user=mention(view.requester),
                                    entity=view.entity_code, process=view.process_handle,
                                    title=view.process_title)))
            blocks.append(actions(button(t_plain("join.approve", locale), ids.ACTION_JOIN_APPROVE, value, "primary"),
                                  button(t_plain("join.decline", locale), ids.ACTION_JOIN_DECLINE, value, "danger"),
                                  block_id=f"home-join:{value}"))
        blocks.append(actions(button(t_plain("home.new_process", locale), ids.ACTION_OPEN_NEW_PROCESS)))
    blocks.append(context(t("home.footer", locale)))
    return home(blocks)


def _answered_text(item: Answered, locale: str | None) -> str:
    if item.inputs:
        return t_count("home.answered_inputs", item.inputs, locale, entity=item.code)
    return t_plain("home.answered_nil", locale, entity=item.code)


def _round_blocks(rounds: list[HomeRound], locale: str | None) -> list[Block]:
    """Rounds waiting for an answer (Submit input / No comments) apart from those answered (Add input
    while the entity's deadline is ahead)."""
    blocks: list[Block] = []
    waiting = [r for r in rounds if r.waiting]
    if waiting:
        blocks.append(section(t("home.waiting", locale, count=len(waiting))))
        for entry in waiting[:10]:
            info, value = entry.info, str(entry.info.round.id)
            blocks.append(section(t("home.waiting_round", locale, entities=", ".join(entry.waiting),
                                    number=info.round.number, process=info.process.handle,
                                    title=info.document_title, deadline=deadline_mrkdwn(info))))
            blocks.append(actions(button(t_plain("rounds.submit_input", locale), ids.ACTION_INPUT_OPEN, value, "primary"),
                                  button(t_plain("rounds.no_comments", locale), ids.ACTION_NIL_RETURN, value),
                                  block_id=f"home-round:{value}"))
        blocks.append(divider())
    answered = [r for r in rounds if r.answered]
    if answered:
        blocks.append(section(t("home.answered", locale, count=len(answered))))
        for entry in answered[:10]:
            info, value = entry.info, str(entry.info.round.id)
            blocks.append(section(t("home.answered_round", locale, number=info.round.number,
                                    process=info.process.handle, title=info.document_title,
                                    deadline=deadline_mrkdwn(info),
                                    answers="; ".join(_answered_text(a, locale) for a in entry.answered))))
            if any(a.can_add for a in entry.answered):
                blocks.append(actions(button(t_plain("home.add_input", locale), ids.ACTION_INPUT_OPEN, value),
                                      block_id=f"home-answered:{value}"))
        blocks.append(divider())
    return blocks


def _home_view(session: Session, person: Person, locale: str | None, oauth: bool = False) -> dict:
    secretariat = is_secretariat(session, person)
    failed = failed_since(session, utcnow() - FAILED_WINDOW) if secretariat else []
    unreachable = unreachable_focal_points(session, installed_workspaces(session)) if secretariat and oauth else []
    return render_home(roles_of(session, person), summaries(session), pending_requests(session),
                       secretariat, locale, home_rounds(session, person, utcnow()), failed,
                       next_meetings_blocks(session, person, locale), home_polls(waiting_for(session, person), locale),
                       unreachable_blocks(unreachable[:40], locale))


async def publish_home(ctx: Ctx) -> None:
    view = await ctx.deps.db(_home_view, ctx.who.person, ctx.locale, ctx.deps.settings.oauth_install)
    view = await ctx.deps.db(with_home_blocks, ctx.who.person, view, ctx.locale)
    view = await ctx.deps.db(with_mapping_blocks, ctx.who.person, view, ctx.locale)
    await ctx.client.views_publish(user_id=ctx.who.user_id, view=view)
