"""Scenario: the secretariat creates a process through the /consult new modal."""

from __future__ import annotations

import itertools

from sqlmodel import Session, select

from storage.models import AuditEntry, Membership, Process, ProcessEntity
from tests.conftest import SECRETARIAT
from tests.slack_requests import state

_n = itertools.count(1)


def _open_modal(sender, slack) -> dict:
    sender.command(SECRETARIAT, "new")
    return slack.wait_for("views.open")[0].params["view"]


def _values(handle: str, **overrides):
    values = {
        "handle": state("plain_text_input", handle),
        "kind": state("static_select", "img"),
        "title": state("plain_text_input", "Chemicals and Waste Issue Management Group"),
        "description": state("plain_text_input", "Common objectives and indicators <!channel>"),
        "channel": state("conversations_select", "C0CHEMICALS"),
        "timezone": state("plain_text_input", "Europe/Zurich"),
        "mandate_end": state("datepicker", "2030-09-30"),
        "chairs": state("multi_users_select", [SECRETARIAT]),
        "members": state("multi_static_select", ["UNEP", "UNIDO", "WHO"]),
    }
    values.update(overrides)
    return values


def test_the_modal_offers_kinds_entities_and_the_default_time_zone(sender, slack):
    view = _open_modal(sender, slack)
    assert view["callback_id"] == "process.new"
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["timezone"]["element"]["initial_value"] == "Europe/Zurich"
    codes = [o["value"] for o in blocks["members"]["element"]["options"]]
    assert {"UNEP", "UNIDO", "WMO"} <= set(codes)


def test_bad_fields_come_back_as_field_errors_and_nothing_is_created(sender, slack, engine):
    view = _open_modal(sender, slack)
    handle = f"chem-{next(_n)}"
    response = sender.submit_view(SECRETARIAT, view, _values(
        handle, timezone=state("plain_text_input", "Europe/Geneva"),
        title=state("plain_text_input", "   "), mandate_end=state("datepicker", "2001-01-01")))
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert set(errors) == {"timezone", "title", "mandate_end"}
    assert "Europe/Zurich" in errors["timezone"]
    with Session(engine) as s:
        assert s.exec(select(Process).where(Process.handle == handle)).first() is None


def test_a_valid_submission_creates_the_process_once_and_announces_it(sender, slack, engine):
    view = _open_modal(sender, slack)
    handle = f"chem-{next(_n)}"
    first = sender.submit_view(SECRETARIAT, view, _values(handle), view_id="V0DOUBLE" + handle)
    assert first.status_code == 200 and first.content in (b"", b"{}")
    announced = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0CHEMICALS")[0]
    assert handle in str(announced.params)
    # The same view submitted again (a double click) creates nothing more.
    sender.submit_view(SECRETARIAT, view, _values(handle), view_id="V0DOUBLE" + handle)
    with Session(engine) as s:
        process = s.exec(select(Process).where(Process.handle == handle)).one()
        assert process.kind == "img" and str(process.mandate_end) == "2030-09-30"
        assert "<!channel>" in process.description  # stored as typed, escaped only when shown
        members = s.exec(select(ProcessEntity).where(ProcessEntity.process_id == process.id)).all()
        assert len(members) == 3
        chairs = s.exec(select(Membership).where(Membership.process_id == process.id,
                                                 Membership.role == "chair")).all()
        assert len(chairs) == 1
        audit = s.exec(select(AuditEntry).where(AuditEntry.action == "process.create",
                                                AuditEntry.subject_id == str(process.id))).all()
        assert len(audit) == 1 and audit[0].actor == SECRETARIAT


def test_a_taken_short_name_is_a_field_error(sender, slack, framework):
    view = _open_modal(sender, slack)
    response = sender.submit_view(SECRETARIAT, view, _values(framework))
    assert "already used" in response.json()["errors"]["handle"]


def test_over_long_title_is_a_field_error(sender, slack):
    view = _open_modal(sender, slack)
    response = sender.submit_view(SECRETARIAT, view, _values(
        f"long-{next(_n)}", title=state("plain_text_input", "x" * 201)))
    assert "At most 200" in response.json()["errors"]["title"]
