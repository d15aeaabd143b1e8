"""No user-facing English left in Python code: every sentence a person reads is a text of prompts/en/.

The rule, kept simple: a string literal (or f-string) in bot/ that holds two or more English-looking words
separated by a space is a sentence, unless it is
  - a docstring;
  - an argument of a logging call (`log.…`, `logger.…`, `logging.…`) or of an exception whose class name ends
    in Error or Exception (start-up and developer messages, for the operator's log; a domain error carries a
    text key instead);
  - an argparse/prometheus `help=`, `description=`, `epilog=` or `metavar=` (the operator's command line);
  - a `Skip(...)` reason of the reminder sender (written to the reminders table, never sent);
  - markup: XML or HTML (it starts with `<`) or CSS (`{property:value;…}`);
  - in a module for operators only (ALLOWED_MODULES), or one of ALLOWED_LITERALS, each with its reason.
A new hit means: move the sentence to prompts/en/*.yaml and call t()/t_plain(), or, if no person ever reads
it in Slack or a document, add it to an allow-list below with the reason.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
WORD = re.compile(r"(?<![\w{./<:%-])[A-Za-z][a-z]+(?:'[a-z]+)?(?![\w}./>(%-])")
LOGGERS = {"log", "logger", "logging"}
EXEMPT_CALLS = {"Skip"}
EXEMPT_KEYWORDS = {"help", "description", "epilog", "metavar"}
# Modules whose strings only operators read: metrics and probes (Prometheus, /readyz), HTTP rejections of
# forged requests (logged and answered to whoever forged them), the log format; the Slack double's Slack-side
# error texts, workspace name and call dump (Slack's answers to the bot, and what a failing test prints); and the
# charts' font family names ("Noto Sans CJK SC"), which no one reads.
ALLOWED_MODULES = {"observability/metrics.py", "observability/probes.py", "observability/logs.py",
                   "slack/gate.py", "slack/envelope.py", "slack_double/limits.py", "slack_double/recorder.py",
                   "slack_double/server.py", "hlcm/chart_text.py"}
ALLOWED_LITERALS = {  # (module, literal): why no person reads it in their language
    ("cli.py", "consultbot: prompts: {}"): "a start-up error of the catalogue, for the operator",
    ("cli.py", "consultbot: reminders: {}"): "a start-up error of the reminder registry, for the operator",
    ("console/shell.py", "%(levelname)s %(name)s %(message)s"): "a logging format",
    ("digests/render_docx.py", "List Bullet"): "a Word style name",
    ("digests/render_docx.py", "Table Grid"): "a Word style name",
    ("exports/hlcm_docx.py", "Table Grid"): "a Word style name",
    ("exports/matrix_docx.py", "Table Grid"): "a Word style name",
    ("hlcm/charts.py", "upper left"): "a matplotlib legend position",
    ("exports/ics.py", "-//UN Environment Management Group//consultbot//EN"): "the iCalendar PRODID",
    ("meetings/reminder_plan.py", "meeting cancelled"): "a reminder's cancel reason, stored, never sent",
    ("reminders/service.py", "switched off"): "a reminder's cancel reason, stored, never sent",
    ("reminders/delivery.py", "too many attempts"): "a reminder's failure reason, stored, never sent",
    ("reminders/delivery.py", "quiet hours"): "a reminder's skip reason, stored, never sent",
    ("reminders/delivery.py", "unknown kind"): "a reminder's failure reason, stored, never sent",
    ("scheduler/sender.py", "gave up: {}"): "a reminder's failure reason, stored, never sent",
    ("scheduler/sender.py", "gave up"): "a reminder's failure reason, stored, never sent",
    ("settings.py", "Value error, "): "pydantic's prefix, removed from a settings error",
    ("texts.py", " and {} more"): "inside a CatalogError (start-up, for the operator)",
    ("timezones.py", "new york"): "a city name typed by people, matched to its zone",
    ("timezones.py", " (did you mean {}?)"): "inside a ValueError; people get errors.timezone_unknown",
    ("roles/service.py", "consultbot grant"): "a command name shown as is",
    ("hlcm/questionnaire.py", "{}: {} is missing"): "a data file's start-up error (raised as a CatalogError)",
    ("hlcm/questionnaire.py", "{}: not valid YAML: {}"): "a data file's start-up error (raised as a CatalogError)",
    ("hlcm/questionnaire.py", "the HLCM questionnaire"): "names the file in that start-up error",
    ("mapping/exports.py", "Table Grid"): "a Word style name",
    ("mapping/survey.py", "grid field"): "in a survey file's start-up error, for the operator",
    ("mapping/survey.py", "grid (the questions asked per target)"): "in a survey file's start-up error",
    ("mapping/survey.py", "{}: products: types"): "in a survey file's start-up error",
    ("mapping/survey.py", "{}: products: topics"): "in a survey file's start-up error",
    ("mapping/survey.py", "the mapping survey"): "names the file in a start-up error",
    ("exports/peer_review_docx.py", "Table Grid"): "a Word style name",
    ("peer_review/topics.py", "the peer review's topics"): "names the file in a start-up error",
    ("scheduler/sender.py", "workspace not installed"): "a reminder's failure reason, stored; shown as "
                                                        "reminders.failure.workspace_not_installed",
    ("reminders/render.py", "gave up: "): "the stored failure reason's prefix, read back to show "
                                          "reminders.failure.gave_up",
    ("slack/oauth.py", "workspace {} is not in SLACK_ALLOWED_TEAMS"): "inside a BoltError, for the operator's "
                                                                      "log; the person gets install.team_not_allowed",
}


CSS = re.compile(r"\{[^{}]*:[^{}]*;")


def english(text: str) -> bool:
    if text.lstrip().startswith("<") or CSS.search(text):
        return False  # markup
    return " " in text.strip() and len(WORD.findall(text)) >= 2


class _Scanner(ast.NodeVisitor):
    def __init__(self) -> None:
        self.hits: list[tuple[int, str]] = []
        self.skip: set[int] = set()

    def _skip_all(self, node: ast.AST) -> None:
        self.skip.update(id(n) for n in ast.walk(node))

    def _docstring(self, node: ast.AST) -> None:
        body = getattr(node, "body", [])
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            self.skip.add(id(body[0].value))

    def visit_Module(self, node: ast.Module) -> None:
        self._docstring(node)
        self.generic_visit(node)

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = visit_Module

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        if owner in LOGGERS or name.endswith(("Error", "Exception")) or name in EXEMPT_CALLS:
            self._skip_all(node)
        for keyword in node.keywords:
            if keyword.arg in EXEMPT_KEYWORDS:
                self._skip_all(keyword.value)
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if id(node) not in self.skip:
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            if english(text):
                self.hits.append((node.lineno, text))
        self._skip_all(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and id(node) not in self.skip and english(node.value):
            self.hits.append((node.lineno, node.value))


def english_in(path: Path) -> list[tuple[int, str]]:
    scanner = _Scanner()
    scanner.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return scanner.hits


def test_no_sentence_a_person_reads_is_written_in_python():
    found = []
    for path in sorted(BOT.rglob("*.py")):
        module = path.relative_to(BOT).as_posix()
        if module in ALLOWED_MODULES:
            continue
        found += [f"bot/{module}:{line}: {text!r}" for line, text in english_in(path)
                  if (module, text) not in ALLOWED_LITERALS]
    assert not found, "English in code (move it to prompts/en/, see this test's docstring):\n" + "\n".join(found)


def test_the_scanner_sees_a_sentence_and_lets_markup_logs_and_keys_through(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('''"""A docstring says what it likes."""
import logging
log = logging.getLogger(__name__)


def reply(ctx, n):
    log.info("sent %d reminders to the channel", n)
    key = "rounds.reminder_d1"
    markup = "<!date^1^{date_short_pretty}|x>"
    if n < 0:
        raise ValueError("n must not be negative")
    ctx.say(f"You have {n} reminders left")
    return "Thank you for your input"
''', encoding="utf-8")
    assert [text for _, text in english_in(sample)] == ["You have {} reminders left", "Thank you for your input"]
