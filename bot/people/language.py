"""Who reads what: the language a person reads the bot in, and the language of a process's channel messages.

A person reads their Slack locale's language (`fr-FR` -> French; a language the bot has no texts for ->
DEFAULT_LOCALE, English unless set) unless they chose one with `/consult language xx` (`auto` goes back to
Slack's). A process's channel messages are in its own language (English unless the secretariat set another)."""

from __future__ import annotations

from sqlmodel import Session

from bot import audit
from bot.errors import Invalid
from bot.processes.service import get_process
from bot.roles.service import require_secretariat
from bot.texts import BASE_LOCALE, default_language, language_name, languages
from storage.models import Person, Process

__all__ = ["AUTO", "document_language", "language_name", "languages", "parse_language", "set_language",
           "set_process_language"]
AUTO = "auto"


def parse_language(word: str, allow_auto: bool = True) -> str | None:
    """A language code the bot has texts for (None for `auto`), or Invalid naming the choices."""
    wanted = word.strip().lower().replace("_", "-")
    if allow_auto and wanted == AUTO:
        return None
    code = wanted.split("-")[0]
    if code in languages():
        return code
    choices = ", ".join([*languages(), AUTO] if allow_auto else languages())
    raise Invalid("language.unknown", value=word[:20], choices=choices)


def document_language(word: str | None) -> str:
    """The language a document is asked for in (`--lang`): one the bot has texts for; no `auto`. Without
    --lang, the default language (DEFAULT_LOCALE)."""
    if word is None:
        return default_language()
    return parse_language(word, allow_auto=False) or BASE_LOCALE


def set_language(session: Session, person: Person, word: str) -> Person:
    before = audit.snapshot(person)
    person.language = parse_language(word)
    session.add(person)
    audit.record(session, person.slack_user_id, "person.language", person, before=before)
    return person


def set_process_language(session: Session, actor: Person, handle: str, word: str) -> Process:
    require_secretariat(session, actor)
    process = get_process(session, handle)
    before = audit.snapshot(process)
    process.language = parse_language(word, allow_auto=False) or BASE_LOCALE
    session.add(process)
    audit.record(session, actor.slack_user_id, "process.language", process, before=before)
    return process
