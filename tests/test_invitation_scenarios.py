"""Scenario: a calendar invitation Outlook understands. A focal point granted through Slack has their
e-mail looked up (users.info, users:read.email); the meeting's .ics names them `mailto:` it, CN their
name, and a focal point Slack has no e-mail for by their Slack `urn:`; a strict second parser reads it."""

from __future__ import annotations

from datetime import timedelta

from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from storage.types import utcnow
from tests.conftest import SECRETARIAT
from tests.meeting_modal import meeting_values


def test_the_invitation_names_people_by_their_slack_email(sender, slack, framework, new_user):
    with_email = new_user("Hiroshi Tanaka", tz="Africa/Nairobi")
    slack.users[with_email]["profile"]["email"] = "hiroshi.tanaka@un.org"
    without = new_user("Somchai", tz="Asia/Bangkok")  # Slack gives no address (a guest, or the scope missing)
    for user, code in ((with_email, "UNEP"), (without, "UNDP")):
        sender.command(SECRETARIAT, f"grant <@{user}> focal_point {framework} {code}")
        slack.wait_for("response_url", lambda c, u=user: u in str(c.params))
    slack.reset()
    sender.command(SECRETARIAT, f"meeting new {framework}")
    view = slack.wait_for("views.open")[0].params["view"]
    day = (utcnow() + timedelta(days=30)).date()
    response = sender.submit_view(SECRETARIAT, view, meeting_values(day, ["UNEP", "UNDP"], ["T-1h"]))
    assert not response.content, response.text
    slack.wait_for("files.completeUploadExternal")
    [ics] = slack.uploads_to("C0FRAMEWORK")

    [event] = Calendar.from_ical(ics["bytes"]).walk("VEVENT")
    attendees = {str(a): str(a.params["CN"]) for a in event["ATTENDEE"]}
    assert attendees == {"mailto:hiroshi.tanaka@un.org": "Hiroshi Tanaka", f"urn:slack:T0EMG:{without}": "Somchai"}
    [strict] = IcsCalendarStream.calendar_from_ics(ics["bytes"].decode("utf-8")).events
    assert {(a.uri, a.common_name) for a in strict.attendees} == {
        ("mailto:hiroshi.tanaka@un.org", "Hiroshi Tanaka"), (f"urn:slack:T0EMG:{without}", "Somchai")}
    assert strict.organizer.common_name  # the secretariat member who scheduled it
