"""The digest as a document outline (headings, paragraphs, lists, tables) of plain texts, which the
Markdown, DOCX and HTML writers render each in their own way. Every label comes from
prompts/<locale>/digests.yaml; times are in the process's zone with the zone named."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.digests.service import ActionDigest, DecisionDigest, Digest, MeetingDigest, RoundDigest
from bot.texts import t_plain
from bot.formatting import date_text, datetime_text
from storage.models import Disposition


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


Part = Heading | Para | Bullets | Table


@dataclass(frozen=True)
class Outline:
    title: str
    parts: list[Part]


def _l(key: str, locale: str | None, **params) -> str:
    return t_plain(f"digests.doc.{key}", locale, **params)


def when(moment, digest: Digest, locale: str | None = None) -> str:
    return datetime_text(moment, digest.timezone, locale)


def mandate_text(d: Digest, locale: str | None) -> str:
    if d.mandate_end is None:
        return _l("mandate_none", locale)
    if d.days_left is not None and d.days_left < 0:
        return _l("mandate_ended", locale, date=date_text(d.mandate_end, locale), days=-d.days_left)
    return _l("mandate_end", locale, date=date_text(d.mandate_end, locale), days=d.days_left)


def change_lines(d: Digest, locale: str | None) -> list[str]:
    c = d.changes
    lines = [_l("change_round_opened", locale, number=n) for n in c.rounds_opened]
    lines += [_l("change_round_closed", locale, number=n) for n in c.rounds_closed]
    lines += [_l("change_inputs", locale, number=n, entity=code, count=count) for n, code, count in c.inputs]
    lines += [_l("change_nil", locale, number=n, entity=code) for n, code in c.nil_returns]
    if c.responses:
        lines.append(_l("change_responses", locale, count=c.responses))
    by_entity: dict[tuple[int, str], list[tuple[str, int]]] = {}
    for number, code, disposition, count in c.responded:
        by_entity.setdefault((number, code), []).append((disposition, count))
    lines += [_l("change_responded", locale, number=number, entity=code, count=sum(n for _, n in found),
                 dispositions=", ".join(f"{n} {t_plain(f'dispositions.{d}', locale)}" for d, n in found))
              for (number, code), found in by_entity.items()]
    if c.decisions:
        lines.append(_l("change_decisions", locale, count=c.decisions))
    if c.meetings_held:
        lines.append(_l("change_meetings_held", locale, count=c.meetings_held))
    if c.meetings_scheduled:
        lines.append(_l("change_meetings_scheduled", locale, count=c.meetings_scheduled))
    lines += [_l("change_item_done", locale, id=a.id, owner=a.owner, text=a.text) for a in c.items_done]
    return lines


def decision_text(x: DecisionDigest, locale: str | None) -> str:
    if x.kind == "mandate_extended" and x.mandate_end:
        detail = _l("decision_mandate", locale, date=date_text(x.mandate_end, locale))
    elif x.kind == "document_approved" and x.document_title:
        detail = _l("decision_document", locale, document=x.document_title, version=x.version_number or "—")
    elif x.kind == "action_item" and x.owner:
        detail = _l("decision_action", locale, owner=x.owner, due=date_text(x.due, locale) if x.due else "—",
                    text=x.text)
        return detail
    else:
        detail = ""
    return " ".join(part for part in (detail, x.text) if part) or "—"


def decision_kind(x: DecisionDigest, locale: str | None) -> str:
    return _l(f"decision_kind_{x.kind}", locale)


def disposition_label(value: str, locale: str | None) -> str:
    return t_plain(f"dispositions.{value}", locale)


def _codes(codes: list[str], locale: str | None) -> str:
    return ", ".join(codes) or _l("nobody", locale)


def _round(r: RoundDigest, d: Digest, locale: str | None) -> list[Part]:
    parts: list[Part] = [
        Heading(_l("round_heading", locale, number=r.number, document=r.document_title, version=r.version_number), 3),
        Para(_l("round_line", locale, status=_l(f"round_status_{r.status}", locale),
                deadline=datetime_text(r.deadline, r.timezone, locale))),
    ]
    if r.closed_at is not None:
        parts.append(Para(_l("round_closed_at", locale, at=when(r.closed_at, d, locale))))
    parts.append(Para(_l("answers", locale, answered=r.answered, asked=r.asked)))
    parts.append(Bullets([f"{_l('answered_inputs', locale)}: {_codes(r.submitted, locale)}",
                          f"{_l('answered_nil', locale)}: {_codes(r.nil, locale)}",
                          f"{_l('late', locale)}: {_codes(r.late, locale)}",
                          f"{_l('pending', locale)}: {_codes(r.pending, locale)}"]))
    if r.late_inputs:
        parts.append(Para(_l("late_inputs", locale, count=r.late_inputs)))
    if r.sections:
        dispositions = [d_.value for d_ in Disposition]
        columns = [_l("col_section", locale), _l("col_inputs", locale),
                   *[disposition_label(v, locale) for v in dispositions], _l("col_unanswered", locale)]
        rows = [[f"{s.number} {s.heading}".strip() if s.number else _l("general", locale), str(s.inputs),
                 *[str(s.dispositions.get(v, 0)) for v in dispositions], str(s.unanswered)] for s in r.sections]
        totals = r.dispositions
        rows.append([_l("col_total", locale), str(r.inputs), *[str(totals[v]) for v in dispositions],
                     str(r.unanswered)])
        parts += [Para(_l("sections", locale)), Table(columns, rows)]
    return parts


def _meetings(meetings: list[MeetingDigest], d: Digest, locale: str | None) -> Table:
    columns = [_l("col_meeting", locale), _l("col_when", locale), _l("col_attending", locale),
               _l("col_tentative", locale), _l("col_not_attending", locale), _l("col_no_answer", locale)]
    return Table(columns, [[m.title + (f" ({m.place})" if m.place else ""), datetime_text(m.start, m.timezone, locale),
                            str(m.counts.attending), str(m.counts.tentative), str(m.counts.not_attending),
                            str(m.counts.no_answer)] for m in meetings])


def _actions(items: list[ActionDigest], locale: str | None) -> Table:
    columns = [_l("col_item", locale), _l("col_owner", locale), _l("col_due", locale)]
    return Table(columns, [[f"{a.id}. {a.text}", a.owner,
                            date_text(a.due, locale) + (f" ({_l('overdue', locale)})" if a.overdue else "")]
                           for a in items])


def outline(d: Digest, locale: str | None = None) -> Outline:
    parts: list[Part] = [
        Para(_l("subtitle", locale, process=d.handle, kind=t_plain(f"process_kinds.{d.kind}", locale),
                status=t_plain(f"process_status.{d.status}", locale))),
        Para(_l("generated", locale, at=when(d.now, d, locale), since=when(d.since, d, locale),
                source=_l(f"source_{d.since_source}", locale))),
        Heading(_l("mandate", locale), 2), Para(mandate_text(d, locale)),
        Heading(_l("changes", locale), 2),
    ]
    changes = change_lines(d, locale)
    parts.append(Bullets(changes) if changes else Para(_l("changes_none", locale)))
    parts.append(Heading(_l("rounds", locale), 2))
    if d.rounds:
        for r in d.rounds:
            parts += _round(r, d, locale)
    else:
        parts.append(Para(_l("rounds_none", locale)))
    parts.append(Heading(_l("meetings_held", locale), 2))
    parts.append(_meetings(d.meetings_held, d, locale) if d.meetings_held else Para(_l("meetings_held_none", locale)))
    parts.append(Heading(_l("meetings_upcoming", locale), 2))
    if d.meetings_upcoming:
        parts.append(_meetings(d.meetings_upcoming, d, locale))
        if d.upcoming_total > len(d.meetings_upcoming):
            parts.append(Para(_l("meetings_more", locale, count=d.upcoming_total - len(d.meetings_upcoming))))
    else:
        parts.append(Para(_l("meetings_upcoming_none", locale)))
    parts.append(Heading(_l("decisions", locale), 2))
    if d.decisions:
        parts.append(Table([_l("col_meeting", locale), _l("col_kind", locale), _l("col_decision", locale),
                            _l("col_recorded", locale)],
                           [[x.meeting_title, decision_kind(x, locale), decision_text(x, locale), when(x.at, d, locale)]
                            for x in d.decisions]))
    else:
        parts.append(Para(_l("decisions_none", locale)))
    parts.append(Heading(_l("actions", locale), 2))
    parts.append(_actions(d.open_actions, locale) if d.open_actions else Para(_l("actions_none", locale)))
    return Outline(_l("title", locale, title=d.title), parts)


def file_name(d: Digest, ext: str) -> str:
    """e.g. framework-digest-2026-11-25.docx (the date in the process's zone)."""
    return f"{d.handle}-digest-{when(d.now, d)[:10]}.{ext}"
