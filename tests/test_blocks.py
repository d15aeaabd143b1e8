"""The bot's own Block Kit guards keep every message and view inside Slack's limits."""

from __future__ import annotations

from bot.roles.service import RoleHeld
from bot.slack.blocks import (MESSAGE_BLOCKS, SECTION_TEXT, VIEW_BLOCKS, button, fit_message, fit_view, header,
                              modal, section, sections)
from bot.slack.help import BY_ROLE, EVERYONE, render_help
from bot.texts import languages, t
from storage.models import Role
from tests.slack_double_limits import block_kit_errors, view_errors


def test_a_long_list_is_packed_into_sections_under_3000_characters():
    lines = [f"*ENTITY{i}* — " + "x" * 120 for i in range(200)]
    blocks = sections(lines)
    assert all(len(b["text"]["text"]) <= SECTION_TEXT for b in blocks)
    assert sum(b["text"]["text"].count("*ENTITY") for b in blocks) == 200


def test_too_many_blocks_are_cut_with_a_note_of_how_many_are_missing():
    message = fit_message([section(f"line {i}") for i in range(120)])
    assert len(message) == MESSAGE_BLOCKS and "71 more" in message[-1]["elements"][0]["text"]
    assert block_kit_errors(message, "message") == []
    view = fit_view([section(f"line {i}") for i in range(150)])
    assert len(view) == VIEW_BLOCKS and block_kit_errors(view, "modal") == []


def test_over_long_texts_are_clipped_to_slacks_limits():
    blocks = [header("h" * 400), section("s" * 5000),
              {"type": "actions", "elements": [button("b" * 100, "a", "v" * 3000)]}]
    assert block_kit_errors(blocks, "message") == []
    view = modal("cb", "A title longer than twenty-four", blocks, submit="Submit it right now please")
    assert view_errors(view) == []


def test_the_help_of_someone_holding_every_role_fits_slacks_sections_in_every_language():
    roles = [RoleHeld(role, None, None, None) for role in Role]
    for locale in languages():
        _, blocks = render_help(roles, locale)
        assert block_kit_errors(blocks, "message") == [], locale
        texts = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
        for name in {*EVERYONE, *(n for names in BY_ROLE.values() for n in names)}:
            assert t(f"help.commands.{name}", locale) in texts, (locale, name)
