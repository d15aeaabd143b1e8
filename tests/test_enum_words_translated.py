"""No English word reaches a translated text as a placeholder's value (issue 17's last gaps).

A text of prompts/<lang>/ is translated whole only if the values put into its placeholders are too: a status,
kind, role or weekday given as the stored English word (`approved`, `focal_point`, `mon,thu`) would stand in the
middle of a French sentence. The code gives such values as texts (`Ref("join.status_approved")`,
`t_plain(f"roles.{role}")`) or through CLDR (`formatting.weekdays`). This test reads the syntax trees of bot/ and
refuses, in the values given to t()/t_plain()/t_count()/Ref() or to a domain error:
  - a string literal holding a word (`what="round"`);
  - an enum's `.value`, or an attribute named like a stored code (`request.status`, `rule.day_of_week`).
`field=` is not a placeholder (it names the modal field an error goes under). ALLOWED lists the exceptions,
each with why no reader sees an English word there.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
TEXT_CALLS = {"t", "t_plain", "t_count", "Ref", "DomainError", "NotAllowed", "NotFound", "Invalid", "Conflict"}
NOT_PLACEHOLDERS = {"field"}
CODE_ATTRIBUTES = {"status", "kind", "state", "role", "disposition", "answer", "attendance", "day_of_week",
                   "outcome", "reason", "value", "what"}
WORD = re.compile(r"[A-Za-z]{2,}")
ALLOWED = {  # (module, placeholder, source of the value): why it is not an English word a person reads
    ("console/session.py", "status", "response.status"): "an HTTP status code, a number",
    ("slack/downloads.py", "status", "response.status"): "an HTTP status code, a number",
    ("mapping/cli.py", "what", "args.what"): "the --what value the operator typed (matrix|catalogue), echoed",
    ("exports/matrix_docx.py", "document", "'{document}'"): "a placeholder kept for a second format() pass",
    ("exports/matrix_docx.py", "version", "'{version}'"): "a placeholder kept for a second format() pass",
    ("exports/matrix_docx.py", "round", "'{round}'"): "a placeholder kept for a second format() pass",
    ("exports/matrix_docx.py", "page", "'{page}'"): "a placeholder kept for a second format() pass",
    ("exports/matrix_docx.py", "pages", "'{pages}'"): "a placeholder kept for a second format() pass",
}


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def raw_words(source: str) -> list[tuple[int, str, str]]:
    """(line, placeholder, value's source) of every value that looks like a stored English word."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and _name(node.func) in TEXT_CALLS):
            continue
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg is None or keyword.arg in NOT_PLACEHOLDERS:
                continue
            literal = isinstance(value, ast.Constant) and isinstance(value.value, str) and WORD.search(value.value)
            code = isinstance(value, ast.Attribute) and value.attr in CODE_ATTRIBUTES
            if literal or code:
                found.append((node.lineno, keyword.arg, ast.unparse(value)))
    return found


def test_no_stored_word_or_enum_value_is_given_to_a_text():
    found = []
    for path in sorted(BOT.rglob("*.py")):
        module = path.relative_to(BOT).as_posix()
        found += [f"bot/{module}:{line}: {arg}={value}" for line, arg, value in raw_words(path.read_text("utf-8"))
                  if (module, arg, value) not in ALLOWED]
    assert not found, ("English words given to translated texts (give a text, Ref(...), or a CLDR name; see this "
                       "test's docstring):\n" + "\n".join(found))


def test_the_check_sees_an_enum_value_a_literal_word_and_lets_texts_through():
    sample = '''
raise Conflict("errors.join_already_decided", status=request.status, by=who)
raise Invalid("meetings.error_agenda_reference", field="agenda", what="round", known="—")
t("errors.role_exists", locale, role=role.value)
t("reminders.weekly_on", locale, days=rule.day_of_week, at="09:00")
t("errors.join_already_decided", locale, status=Ref(f"join.status_{status}"), by=who)
t("errors.role_exists", locale, role=t_plain(f"roles.{role}", locale), count=3)
'''
    assert [(line, arg) for line, arg, _ in raw_words(sample)] == [
        (2, "status"), (3, "what"), (4, "role"), (5, "days")]
