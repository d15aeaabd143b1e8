"""Each area registers its reminder planners and its kinds' messages (bot/reminders/registry.py); bot/areas.py
imports them all, and a registry an area is missing from stops the bot instead of leaving reminders unplanned
or unsent."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot import areas
from bot.hlcm import reminder_plan as datacall
from bot.mapping import reminders as mapping
from bot.meetings import reminder_plan as meetings
from bot.outcomes import reminder_plan as outcomes
from bot.peer_review import reminder_plan as peer_review
from bot.polls import reminder_plan as polls
from bot.reminders import registry
from bot.reminders.delivery import KINDS
from bot.reminders.registry import RegistryError
from bot.rounds import reminder_messages as round_messages
from bot.rounds import reminder_plan as rounds
from storage.db import session_scope
from storage.models import Reminder, ReminderStatus
from storage.types import utcnow
from tests.bot_process import consultbot

ROOT = Path(__file__).resolve().parents[1]
DELIVERED = {"round.deadline", "round.escalation", "process.weekly_status", "process.weekly_digest", "action.due",
             "poll.reminder", "meeting.reminder", "meeting.outcomes", "datacall.reminder", "datacall.escalation",
             "inputs.responses", "mapping.reminder", "mapping.escalation", "peer_review.evidence"}


def test_every_area_is_registered_and_the_planners_run_in_the_order_replan_always_called_them():
    assert set(KINDS) == DELIVERED
    assert registry.process_planners() == [rounds.plan_process, polls.plan_process, meetings.plan_process_meetings,
                                           outcomes.plan_process_actions, peer_review.plan_process_reviews]
    assert registry.focal_point_planners() == [datacall.plan_open_calls, mapping.plan_open_mappings]
    assert registry.secretariat_planners() == [rounds.plan_all, meetings.plan_all_meetings, datacall.plan_open_calls]
    assert set(registry.planned_kinds()) <= set(KINDS)  # whatever a planner writes, some area delivers


def test_a_planner_bot_areas_does_not_expect_or_one_missing_is_refused_and_the_registry_stays_as_it_was():
    with pytest.raises(RegistryError, match=r"missing \['annual_report'\]"):
        registry.complete((*areas.PLANNERS, "annual_report"))
    with pytest.raises(RegistryError, match=r"not listed \['peer_review'\]"):
        registry.complete(areas.PLANNERS[:-1])
    assert registry.focal_point_planners() == [datacall.plan_open_calls, mapping.plan_open_mappings]


def test_a_second_message_for_a_kind_is_refused():
    with pytest.raises(RegistryError, match="kind 'round.deadline' registered twice"):
        registry.register_kind(rounds.DEADLINE, round_messages.escalation_message)
    registry.register_kind(rounds.DEADLINE, round_messages.deadline_message)  # the same again: importing twice
    assert KINDS[rounds.DEADLINE] is round_messages.deadline_message


def test_planning_or_sending_without_bot_areas_fails_loudly():
    """A process that imported a service and one area, but not bot/areas.py: the registry refuses to answer
    rather than re-plan only the areas that happened to be imported."""
    code = ("from bot.roles.service import grant\nfrom bot.rounds import reminder_messages\n"
            "from bot.reminders import registry\nfrom bot.reminders.replan import replan_process\n"
            "for call in (lambda: replan_process(None, 1, None), lambda: registry.handler('round.deadline')):\n"
            "    try:\n        call()\n    except registry.RegistryError as exc:\n        print(exc)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["no reminder area is registered: import bot.areas before planning or "
                                          "sending (bot/startup.py does)"] * 2


def test_start_up_refuses_a_database_with_reminders_of_a_kind_no_area_delivers(private_database_url,
                                                                                private_engine):
    """A reminder written by an area this build does not have (a newer version, an area left out of
    bot/areas.py): `prepare` stops every command before it runs, naming the kind, until the row is settled."""
    now = utcnow()
    with session_scope(private_engine) as s:
        s.add(Reminder(key="peer:1:T-2d:U0PEER", kind="peer.review", offset="T-2d", recipient="U0PEER",
                       timezone="UTC", due_at=now, send_at=now + timedelta(hours=1)))
    env = {"DATABASE_URL": private_database_url}
    refused = consultbot("seed", env=env, check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip() == ("consultbot: reminders: reminder kinds with no delivery handler (an area not "
                                      "imported by bot/areas.py?): peer.review (stored, still to send)")
    with session_scope(private_engine) as s:  # once no longer to send (skipped, sent, cancelled), it is history
        row = s.exec(select(Reminder).where(Reminder.kind == "peer.review")).one()
        row.status = ReminderStatus.CANCELLED
    assert "entities: 0 added or updated" in consultbot("seed", env=env).stdout
