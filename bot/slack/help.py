"""`/consult help`: the commands the caller may use, by role."""

from __future__ import annotations

from bot.roles.service import RoleHeld
from bot.slack.blocks import Block, context, header, section, sections
from bot.texts import t, t_plain
from storage.models import Role

EVERYONE = ("help", "whoami", "language", "entities", "list", "join", "status", "meetings", "digest",
            "mapping_show", "review")
BY_ROLE = {
    Role.FOCAL_POINT: ("inputs", "mute", "action", "meeting", "datacall", "mapping", "review_evidence"),
    Role.CHAIR: ("doc", "round", "poll", "meeting", "meeting_manage", "inputs", "export", "mute",
                  "mapping_export"),
    Role.SECRETARIAT: ("new", "grant", "revoke", "doc", "round", "inputs", "export", "import", "reminders", "action",
                       "poll", "meeting", "meeting_manage", "datacall", "hlcm", "digest", "mute", "entity",
                       "process_language", "mapping_manage", "review_manage"),
}


def render_help(roles: list[RoleHeld], locale: str | None, unknown: str | None = None) -> tuple[str, list[Block]]:
    held = {r.role for r in roles}
    blocks: list[Block] = [header(t_plain("help.header", locale))]
    if unknown is not None:
        blocks.append(section(t("help.unknown", locale, command=unknown)))
    lines = [t(f"help.commands.{name}", locale) for name in EVERYONE]
    blocks.extend(sections([t("help.everyone", locale), *lines]))  # chunked under Slack's 3,000 chars a section
    for role, names in BY_ROLE.items():
        if role in held:
            lines = [t(f"help.commands.{name}", locale) for name in names]
            blocks.extend(sections([t("help.for_role", locale, role=t_plain(f"roles.{role.value}", locale)), *lines]))
    if not held & set(BY_ROLE):
        blocks.append(context(t("help.more_with_roles", locale)))
    return t("help.fallback", locale), blocks
