"""How roles look in Slack (`/consult whoami`)."""

from __future__ import annotations

from bot.mrkdwn import mention
from bot.roles.service import RoleHeld
from bot.slack.blocks import Block, header, sections
from bot.texts import t, t_plain


def role_line(role: RoleHeld, locale: str | None) -> str:
    name = t_plain(f"roles.{role.role.value}", locale)
    if role.process_handle is None:
        return t("whoami.role_global", locale, role=name)
    if role.entity_code:
        return t("whoami.role_entity", locale, role=name, entity=role.entity_code,
                 process=role.process_handle, title=role.process_title or "")
    return t("whoami.role_process", locale, role=name, process=role.process_handle,
             title=role.process_title or "")


def render_whoami(user_id: str, timezone: str, roles: list[RoleHeld],
                  locale: str | None) -> tuple[str, list[Block]]:
    lines = [t("whoami.identity", locale, user=mention(user_id), timezone=timezone)]
    lines += [role_line(r, locale) for r in roles] or [t("whoami.no_roles", locale)]
    return t("whoami.fallback", locale), [header(t_plain("whoami.header", locale)), *sections(lines)]
