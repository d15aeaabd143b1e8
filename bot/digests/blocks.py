"""The digest in Slack: a short summary within Block Kit's limits (at most 50 blocks, 3,000 characters
a section), the full document attached. Times are `<!date^…>` tokens (each reader's own zone, the
process's zone in the fallback); every text a person typed is escaped by `t`."""

from __future__ import annotations

from bot.digests.document import change_lines, decision_kind, decision_text, disposition_label
from bot.digests.service import Digest, RoundDigest
from bot.mrkdwn import Raw, date_token
from bot.slack.blocks import Block, MESSAGE_BLOCKS, context, divider, header, section, sections
from bot.texts import t, t_plain
from bot.timezones import local_text

ROUNDS_SHOWN = 8
LINES_SHOWN = 10  # changes, meetings, decisions, action items: each list at most this long
CODES_SHOWN = 15


def _when(moment, zone_name: str) -> Raw:
    return date_token(moment, local_text(moment, zone_name))


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:CODES_SHOWN]) or "—"
    return shown + (f" +{len(codes) - CODES_SHOWN}" if len(codes) > CODES_SHOWN else "")


def _capped(lines: list[str], locale: str | None) -> list[str]:
    if len(lines) <= LINES_SHOWN:
        return lines
    return lines[:LINES_SHOWN] + [t("digests.slack.more", locale, count=len(lines) - LINES_SHOWN)]


def _mandate(d: Digest, locale: str | None) -> str:
    if d.mandate_end is None:
        return t_plain("digests.slack.mandate_none", locale)
    if d.days_left is not None and d.days_left < 0:
        return t_plain("digests.slack.mandate_ended", locale, date=d.mandate_end.isoformat())
    return t_plain("digests.slack.mandate_end", locale, date=d.mandate_end.isoformat(), days=d.days_left)


def _round(r: RoundDigest, locale: str | None) -> str:
    nil = t_plain("digests.slack.round_nil", locale, count=len(r.nil)) if r.nil else ""
    line = t("digests.slack.round", locale, number=r.number, document=r.document_title, version=r.version_number,
             status=t_plain(f"digests.doc.round_status_{r.status}", locale), deadline=_when(r.deadline, r.timezone),
             answered=r.answered, asked=r.asked, nil=nil, late=_codes(r.late), pending=_codes(r.pending))
    if r.inputs:
        dispositions = ", ".join(f"{n} {disposition_label(k, locale)}" for k, n in r.dispositions.items() if n) or "—"
        line += "\n" + t("digests.slack.round_inputs", locale, inputs=r.inputs, dispositions=dispositions,
                         unanswered=r.unanswered)
    return line


def summary(d: Digest, locale: str | None = None, file_note: str | None = None) -> tuple[str, list[Block]]:
    """(fallback text, blocks). `file_note`: a line saying where the full document is (already mrkdwn)."""
    blocks: list[Block] = [
        header(t_plain("digests.slack.header", locale, process=d.handle)),
        section(t("digests.slack.process", locale, title=d.title, kind=t_plain(f"process_kinds.{d.kind}", locale),
                  mandate=_mandate(d, locale))),
    ]
    since = _when(d.since, d.timezone)
    changes = change_lines(d, locale)
    if changes:
        lines = [t("digests.slack.changes", locale, since=since)]
        lines += _capped([t("digests.slack.change", locale, text=line) for line in changes], locale)
        blocks += sections(lines)
    else:
        blocks.append(section(t("digests.slack.changes_none", locale, since=since)))
    if d.rounds:
        blocks.append(divider())
        blocks += [section(_round(r, locale)) for r in d.rounds[:ROUNDS_SHOWN]]
        if len(d.rounds) > ROUNDS_SHOWN:
            blocks.append(context(t("digests.slack.rounds_more", locale, count=len(d.rounds) - ROUNDS_SHOWN)))
    meetings = [t("digests.slack.meeting_held", locale, title=m.title, when=_when(m.start, m.timezone),
                  attending=m.counts.attending) for m in d.meetings_held]
    meetings += [t("digests.slack.meeting_upcoming", locale, title=m.title, when=_when(m.start, m.timezone),
                   attending=m.counts.attending, tentative=m.counts.tentative,
                   not_attending=m.counts.not_attending, no_answer=m.counts.no_answer)
                 for m in d.meetings_upcoming]
    for title_key, lines in (
            ("digests.slack.meetings", meetings),
            ("digests.slack.decisions", [t("digests.slack.decision", locale, kind=decision_kind(x, locale),
                                           text=decision_text(x, locale)) for x in d.decisions]),
            ("digests.slack.actions", [t("digests.slack.action", locale, id=a.id, owner=a.owner,
                                         due=a.due.isoformat(), text=a.text,
                                         overdue=Raw(t("digests.slack.action_overdue", locale)) if a.overdue else "")
                                       for a in d.open_actions])):
        if lines:
            blocks += sections([t(title_key, locale)] + _capped(lines, locale))
    if file_note:
        blocks.append(context(file_note))
    if len(blocks) > MESSAGE_BLOCKS:  # keep the note on where the document is: it says the rest is there
        blocks = blocks[:MESSAGE_BLOCKS - 1] + blocks[-1:]
    fallback = t("digests.slack.fallback", locale, process=d.handle, rounds=len(d.rounds),
                 meetings=d.upcoming_total, actions=len(d.open_actions))
    return fallback, blocks
