"""How reminders look to the secretariat: `/consult reminders [PROCESS]`."""

from __future__ import annotations

from bot.formatting import weekdays
from bot.mrkdwn import Raw, date_token, mention
from bot.reminders.overview import Overview, Row, Totals
from bot.slack.blocks import Block, context, header, section, sections
from bot.texts import catalog, t, t_plain
from bot.timezones import local_text

KIND_LABEL = {"round.deadline": "deadline", "round.escalation": "escalation", "process.weekly_status": "weekly",
              "action.due": "action", "meeting.reminder": "meeting", "meeting.outcomes": "outcomes",
              "poll.reminder": "poll",
              "datacall.reminder": "datacall"}
KIND_LABEL["process.weekly_digest"] = "digest"  # bot/digests/weekly.py
KIND_LABEL["datacall.escalation"] = "datacall_escalation"  # bot/hlcm/reminder_plan.py
KIND_LABEL["mapping.reminder"] = "deadline"  # bot/mapping/reminders.py: a deadline chase, as a round's
KIND_LABEL["peer_review.evidence"] = "deadline"  # bot/peer_review/reminder_plan.py: likewise


SKIP_REASON = "reminders.skip.{}"  # bot/texts.py DYNAMIC_KEYS lists the reasons the reminder kinds give
FAILURE = "reminders.failure.{}"  # the sender's failure reasons (bot/scheduler/sender.py, bot/reminders/delivery.py)
GAVE_UP = "gave up: "  # bot/scheduler/sender.py: retries exhausted, then the last error


def _when(moment, zone_name: str) -> Raw:
    return date_token(moment, local_text(moment, zone_name))


def _who(row: Row) -> Raw:
    target = row.reminder.recipient
    return Raw(f"<#{target}>" if target[:1] in "CG" else mention(target))


def _line(row: Row, moment, locale: str | None, key: str) -> str:
    r = row.reminder
    what = t_plain(f"reminders.kind_{KIND_LABEL.get(r.kind, 'other')}", locale, number=row.round_number or "—",
                   offset=r.offset)
    return t(key, locale, when=_when(moment, r.timezone), what=what, who=_who(row),
             entity=row.entity_code or "—", outcome=_failure(r.outcome, locale), attempts=r.attempts)


def _reason(reason: str, locale: str | None) -> str:
    """Why a reminder was not needed, in the reader's language (`reminders.skip.<reason>`); the stored word
    itself for a reason the texts do not name (rows written by an older version)."""
    key = SKIP_REASON.format(reason.replace(" ", "_"))
    return t_plain(key, locale) if key in catalog().locales["en"] else reason


def _failure(outcome: str | None, locale: str | None) -> str:
    """Why a reminder failed: the sender's own words in the reader's language (`reminders.failure.<reason>`,
    `gave up: <error>` keeping the error); Slack's error codes (`channel_not_found`) as Slack writes them."""
    if not outcome:
        return "—"
    gave_up, _, error = outcome.partition(GAVE_UP)
    if not gave_up and error:
        return t_plain(FAILURE.format("gave_up"), locale, error=error)
    key = FAILURE.format(outcome.replace(" ", "_"))
    return t_plain(key, locale) if key in catalog().locales["en"] else outcome


def _count(counts: dict[str, int], *statuses: str) -> int:
    return sum(counts.get(s, 0) for s in statuses)


def overview(view: Overview, locale: str | None) -> tuple[str, list[Block]]:
    c = view.counts
    summary = t("reminders.overview", locale, process=view.process.handle,
                scheduled=_count(c, "pending", "sending"), sent=_count(c, "sent"), failed=_count(c, "failed"),
                skipped=_count(c, "skipped"), cancelled=_count(c, "cancelled"))
    blocks = [header(t_plain("reminders.overview_header", locale, process=view.process.handle)), section(summary)]
    for key, w in (("reminders.weekly_set", view.weekly), ("reminders.weekly_digest_set", view.weekly_digest)):
        if w is not None:
            blocks.append(context(t(key, locale, days=weekdays(w.day_of_week, locale),
                                    at=f"{w.hour:02d}:{w.minute:02d}", timezone=w.timezone)))
    parts = [("scheduled", [_line(r, r.reminder.send_at, locale, "reminders.line_scheduled") for r in view.scheduled]),
             ("failed", [_line(r, r.reminder.updated_at, locale, "reminders.line_failed") for r in view.failed]),
             ("sent", [_line(r, r.reminder.sent_at, locale, "workspaces.line_sent_in_channel" if r.reminder.outcome
                             else "reminders.line_sent") for r in view.sent])]
    for name, lines in parts:
        if lines:
            blocks += [section(t(f"reminders.part_{name}", locale)), *sections(lines)]
    if view.skipped:
        reasons = ", ".join(t_plain("reminders.skipped_reason", locale, reason=_reason(reason, locale), count=n)
                            for reason, n in sorted(view.skipped.items()))
        blocks.append(context(t("reminders.skipped", locale, reasons=reasons)))
    muted = Raw(" ".join(mention(u) for u in view.muted))
    blocks.append(context(t("reminders.muted_by", locale, people=muted) if view.muted
                          else t("reminders.muted_nobody", locale)))
    return summary, blocks


def totals(rows: list[Totals], locale: str | None) -> tuple[str, list[Block]]:
    if not rows:
        text = t("reminders.none_yet", locale)
        return text, [section(text)]
    lines = [t("reminders.totals_line" if r.handle else "reminders.totals_datacall", locale, process=r.handle,
               scheduled=_count(r.counts, "pending", "sending"), sent=_count(r.counts, "sent"),
               failed=_count(r.counts, "failed"), muted=r.muted) for r in rows]
    text = t("reminders.totals", locale)
    return text, [section(text), *sections(lines)]
