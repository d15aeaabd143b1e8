"""How a peer review looks in Slack: the open modal, the evidence form (a page per topic), the DMs, and the review
with its report, meetings, recommendations and the entity's earlier reviews with theirs."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.mrkdwn import Raw, date_token, mention
from bot.peer_review.service import Recommendation, ReviewView
from bot.peer_review.topics import TEXT_MAX, Topics, topics
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, context, header, input_block, modal, option, section, sections
from bot.slack.deadline_form import deadline_inputs
from bot.texts import t, t_plain
from bot.timezones import local_text
from storage.models import PeerReview, Process, ResponseStatus

OPTIONS_MAX = 100


def deadline_mrkdwn(review: PeerReview, process: Process) -> Raw:
    return date_token(review.deadline, local_text(review.deadline, process.timezone))


def topic_title(topic: str, locale: str | None) -> str:
    return t_plain(f"peer_review.topics.{topic}.title", locale)


def open_modal(process: str, entity: str, year: int, entities: list[str], today: date, timezone: str,
               locale: str | None) -> dict:
    options = [option(code, code) for code in entities if code != entity][:OPTIONS_MAX]
    blocks = [section(t("peer_review.open_intro", locale, entity=entity, year=year, process=process)),
              *deadline_inputs(today, timezone, locale),
              input_block(ids.BLOCK_REVIEW_BODY, t_plain("peer_review.body", locale),
                          {"type": "multi_static_select", "options": options},
                          hint=t_plain("peer_review.body_hint", locale)),
              input_block(ids.BLOCK_REVIEW_FOCAL, t_plain("peer_review.focal_points", locale, entity=entity),
                          {"type": "multi_users_select"}, optional=True,
                          hint=t_plain("peer_review.focal_points_hint", locale, entity=entity, process=process)),
              input_block(ids.BLOCK_REVIEW_EXPERTS, t_plain("peer_review.experts", locale),
                          {"type": "multi_users_select"}, optional=True)]
    return modal(ids.VIEW_REVIEW_OPEN, t_plain("peer_review.open_title", locale), blocks,
                 submit=t_plain("peer_review.open_submit", locale), close=t_plain("common.cancel", locale),
                 private_metadata=json.dumps({"process": process, "entity": entity, "year": year}))


def evidence_button(process: str, locale: str | None) -> Block:
    return actions(button(t_plain("peer_review.evidence_button", locale), ids.ACTION_REVIEW_EVIDENCE, process,
                          "primary"), block_id=f"review:{process}")


def asked(review: PeerReview, process: Process, code: str, locale: str | None) -> tuple[str, list[Block]]:
    data = topics()
    text = t("peer_review.asked", locale, entity=code, year=review.year, process=process.handle,
             deadline=deadline_mrkdwn(review, process), count=data.choose,
             required=", ".join(topic_title(x, locale) for x in data.required),
             topics=", ".join(f"{x} ({topic_title(x, locale)})" for x in data.optional))
    return text, [section(text), evidence_button(process.handle, locale)]


def reminder(review: PeerReview, process: Process, code: str, locale: str | None) -> tuple[str, list[Block]]:
    key = "peer_review.reminder_topics" if review.topics is None else "peer_review.reminder"
    text = t(key, locale, entity=code, year=review.year, process=process.handle,
             deadline=deadline_mrkdwn(review, process))
    blocks = [section(text)]
    if review.draft:
        blocks.append(context(t("peer_review.reminder_draft", locale)))
    return text, blocks + [evidence_button(process.handle, locale)]


def evidence_page(process: str, code: str, data: Topics, covered: list[str], number: int, answers: dict[str, Any],
                  locale: str | None) -> dict:
    """The page of one topic (`number`, 1-based), prefilled from the draft, else what was submitted."""
    topic = covered[number - 1]
    given = answers.get(topic) or {}
    blocks: list[Block] = [context(t("peer_review.page_context", locale, entity=code, page=number,
                                     pages=len(covered), topic=topic_title(topic, locale)))]
    for question in data.questions[topic]:
        value = given.get(question.id)
        links = question.type == "links"
        element: Block = {"type": "plain_text_input", "multiline": True, "max_length": TEXT_MAX}
        if value:
            element["initial_value"] = "\n".join(value) if links else value
        hint = t_plain("peer_review.links_hint", locale, hosts=", ".join(data.link_hosts)) if links else None
        blocks.append(input_block(f"{ids.BLOCK_REVIEW_ANSWER}{topic}:{question.id}",
                                  t_plain(f"peer_review.topics.{topic}.questions.{question.id}", locale),
                                  element, optional=True, hint=hint))
    if number == 1:
        blocks.append(context(t("peer_review.page_saved_note", locale)))
    last = number == len(covered)
    return modal(ids.VIEW_REVIEW_PAGE, t_plain("peer_review.evidence_title", locale, entity=code), blocks,
                 submit=t_plain("peer_review.submit" if last else "peer_review.next", locale),
                 close=t_plain("peer_review.close", locale),
                 private_metadata=json.dumps({"process": process, "page": number}))


def _recommendation(r: Recommendation, locale: str | None) -> str:
    return t("peer_review.recommendation_line", locale, number=r.item.id, text=r.item.text, owner=r.owner,
             due=r.item.due.isoformat(), status=t_plain(f"peer_review.action_{r.item.status}", locale))


def _adoption(v: ReviewView, locale: str | None) -> str:
    if v.adoption is None:
        return t("peer_review.not_adopted", locale)
    return t("peer_review.adopted", locale, title=v.adoption.document, version=v.adoption.version,
             date=v.adoption.at.date().isoformat())


def _state(v: ReviewView, now) -> str:
    state = str(v.review.status)
    if v.review.status != ResponseStatus.SUBMITTED and now > v.review.deadline:
        state = "late"
    return state


def status(v: ReviewView, now, locale: str | None) -> tuple[str, list[Block]]:
    r, p = v.review, v.process
    summary = t("peer_review.status_summary", locale, entity=v.entity.code, name=v.entity.name, year=r.year,
                process=p.handle, topics=", ".join(topic_title(x, locale) for x in v.topics),
                body=", ".join(v.body) or "—",
                experts=Raw(", ".join(str(mention(u)) for u in r.experts)) if r.experts else "—")
    if not v.chosen:
        summary += "\n" + t("peer_review.topics_pending", locale, count=topics().choose,
                               topics=", ".join(topics().optional))
    lines = [t("peer_review.evidence_line", locale, state=t_plain(f"peer_review.state_{_state(v, now)}", locale),
               deadline=deadline_mrkdwn(r, p))]
    lines.append(t("peer_review.report_line", locale, title=v.report[0], version=v.report[1]) if v.report
                 else t("peer_review.no_report", locale))
    lines += [t("peer_review.meeting_line", locale, title=m.title,
                when=date_token(m.start, local_text(m.start, m.timezone))) for m in v.meetings]
    lines.append(_adoption(v, locale))
    blocks = [header(t_plain("peer_review.status_header", locale, entity=v.entity.code, year=r.year)),
              section(summary), *sections(lines),
              section(t("peer_review.recommendations_header", locale, count=len(v.recommendations)))]
    blocks += sections([_recommendation(x, locale) for x in v.recommendations] or [t("peer_review.none", locale)])
    for earlier in v.earlier:
        blocks.append(section(t("peer_review.earlier_header", locale, year=earlier.review.year,
                                process=earlier.process.handle, adoption=Raw(_adoption(earlier, locale)))))
        blocks += sections([_recommendation(x, locale) for x in earlier.recommendations]
                           or [t("peer_review.none", locale)])
    return summary, blocks
