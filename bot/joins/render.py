"""How join requests look in Slack: the secretariat's buttons and the answers."""

from __future__ import annotations

from bot.joins.service import JoinView
from bot.mrkdwn import mention
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, context, section
from bot.texts import t, t_plain


def render_request_for_secretariat(view: JoinView, locale: str | None) -> tuple[str, list[Block]]:
    text = t("join.ask_secretariat", locale, user=mention(view.requester), entity=view.entity_code,
             process=view.process_handle, title=view.process_title)
    value = str(view.request.id)
    return text, [
        section(text),
        actions(button(t_plain("join.approve", locale), ids.ACTION_JOIN_APPROVE, value, "primary"),
                button(t_plain("join.decline", locale), ids.ACTION_JOIN_DECLINE, value, "danger"),
                block_id=f"join:{value}"),
    ]


def render_requested(view: JoinView, locale: str | None) -> str:
    return t("join.requested", locale, entity=view.entity_code, process=view.process_handle)


def render_decision_for_secretariat(view: JoinView, locale: str | None) -> tuple[str, list[Block]]:
    text = t("join.ask_secretariat", locale, user=mention(view.requester), entity=view.entity_code,
             process=view.process_handle, title=view.process_title)
    outcome = t(f"join.decided_{view.request.status}", locale, by=mention(view.decided_by or ""))
    return outcome, [section(text), context(outcome)]


def render_decision_for_requester(view: JoinView, locale: str | None) -> str:
    return t(f"join.told_{view.request.status}", locale, entity=view.entity_code, process=view.process_handle,
             title=view.process_title, by=mention(view.decided_by or ""))
