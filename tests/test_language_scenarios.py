"""Every person reads the bot in their own UN language (issue 17), through a running bot and signed requests.

Focal points whose Slack locales are fr-FR, es-ES, zh-CN, ru-RU and ar get a round opened by an English-speaking
secretariat in their language: the DM, the reminder, App Home, the input modal's labels and a field error. A
French matrix export, an Arabic summary whose paragraphs run right to left, plural forms of Russian and Arabic.

What the bot says is checked against the catalogue's own text for the key (so the translators' wording does not
matter here) and against English (it must differ), on the shipped catalogues of prompts/.
"""

from __future__ import annotations

import io
import json
import re
import string
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.texts import PROMPTS_DIR, Catalog
from storage.db import make_engine, session_scope
from storage.models import Reminder, Round
from tests.bot_process import BotProcess, consultbot
from tests.conftest import SECRETARIAT
from tests.reminder_fixtures import make_due
from tests.slack_requests import SlackSender, state

BOT = Path(__file__).resolve().parents[1] / "bot"
LANGUAGES = ("fr", "es", "zh", "ru", "ar")
LOCALES = {"UNIDO": "fr-FR", "UNDP": "es-ES", "UNEP": "zh-CN", "WMO": "ru-RU", "UNESCO": "ar"}


@pytest.fixture(scope="module")
def prompts_dir() -> Path:
    return PROMPTS_DIR


@pytest.fixture(scope="module")
def texts(prompts_dir) -> Catalog:
    return Catalog.load(prompts_dir, check_code=BOT)


@pytest.fixture
def own_bot(bot_env, slack, private_database_url, prompts_dir, tmp_path) -> Iterator[BotProcess]:
    """A bot of its own (its own database and reminder sender) that reads the six languages' catalogues."""
    slack.add_user(SECRETARIAT, "Amina (EMG secretariat)", tz="Europe/Zurich", locale="en-US")
    env = {**bot_env, "DATABASE_URL": private_database_url, "CONSULTBOT_PROMPTS_DIR": str(prompts_dir)}
    process = BotProcess(env, tmp_path / "serve.log").start()
    yield process
    process.stop()


@pytest.fixture
def own_sender(own_bot, slack) -> SlackSender:
    slack.reset()
    return SlackSender(own_bot.url, slack.base_url)


def follows(template: str, text: str) -> bool:
    """`text` is `template` with its placeholders filled (whatever the values)."""
    pattern = "".join(re.escape(literal) + (".+?" if field is not None else "")
                      for literal, field, _, _ in string.Formatter().parse(template))
    return re.fullmatch(pattern, text, re.S) is not None


def _text(call) -> str:
    return call.params.get("text") or ""


@pytest.fixture
def round_world(own_bot, slack, private_database_url) -> dict:
    """A consultation with a two-section draft, five focal points (one per language) and the round's world."""
    from bot.people.service import find_person
    from bot.processes.service import NewProcess, create_process
    from storage.models import Document, DocumentVersion, Section

    engine = make_engine(private_database_url)
    focal = {}
    with session_scope(engine) as s:
        secretariat = find_person(s, SECRETARIAT)  # granted by the bot's start (SECRETARIAT_USERS)
        process = create_process(s, secretariat, NewProcess(
            handle="framework", kind="consultation", title="Consultation on the sustainability framework",
            timezone="Europe/Zurich", channel_id="C0FRAMEWORK", members=list(LOCALES)))
        document = Document(process_id=process.id, slug="interim-guidance", title="Interim guidance")
        s.add(document)
        s.flush()
        version = DocumentVersion(document_id=document.id, number=1, source_name="interim-guidance.md",
                                  source_sha256="0" * 64, imported_by=SECRETARIAT)
        s.add(version)
        s.flush()
        s.add(Section(version_id=version.id, position=0, number="1", heading="Purpose", text="…",
                      identity="framework-0"))
        version_id = version.id
    sender = SlackSender(own_bot.url, slack.base_url)
    for code, locale in LOCALES.items():  # granted in Slack: the bot asks Slack who they are (users.info)
        user = f"U0{code}{locale.replace('-', '').upper()}"
        slack.add_user(user, f"{code} focal point", tz="Europe/Zurich", locale=locale)
        slack.reset()
        sender.command(SECRETARIAT, f"grant <@{user}> focal_point framework {code}")
        assert "focal point" in _text(slack.wait_for("response_url")[0])
        focal[code] = user
    slack.reset()
    return {"engine": engine, "version_id": version_id, "focal": focal}


def test_a_round_reaches_each_focal_point_in_their_language(own_sender, slack, round_world, texts):
    sender, focal, engine = own_sender, round_world["focal"], round_world["engine"]
    sender.command(SECRETARIAT, "round open framework")
    view = slack.wait_for("views.open")[0].params["view"]
    assert view["title"]["text"] == texts.render("rounds.modal_title", "en-US", {}, False)  # the secretariat's
    sender.submit_view(SECRETARIAT, view, {
        "version": state("static_select", str(round_world["version_id"])),
        "deadline_date": state("datepicker", "2031-06-30"),
        "deadline_time": {"type": "timepicker", "selected_time": "17:00"},
        "timezone": state("plain_text_input", "Europe/Zurich"),
        "entities": state("multi_static_select", list(LOCALES)),
        "instructions": state("plain_text_input", "")})
    announcement = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0FRAMEWORK")[0]
    assert follows(texts.template("rounds.announced", "en"), _text(announcement))  # the process's language

    with Session(engine) as s:
        round_id = s.exec(select(Round)).one().id
    for code, locale in LOCALES.items():
        user = focal[code]
        dm = slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u)[0]
        assert follows(texts.template("rounds.invited", locale), _text(dm)), (locale, _text(dm))
        assert not follows(texts.template("rounds.invited", "en"), _text(dm))
        buttons = [e["text"]["text"] for b in dm.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert texts.render("rounds.submit_input", locale, {}, False) in buttons

    for code, locale in LOCALES.items():
        user = focal[code]
        slack.reset()
        sender.home_opened(user)  # App Home
        home = slack.wait_for("views.publish", lambda c, u=user: c.params.get("user_id") == u)[0].params["view"]
        assert home["blocks"][0]["text"]["text"] == texts.render("home.header", locale, {}, False)  # the app's name
        shown = [b["text"]["text"] for b in home["blocks"] if b.get("text")]
        assert texts.render("home.roles", locale, {}, True) in shown
        assert texts.render("home.roles", locale, {}, True) != texts.render("home.roles", "en", {}, True)

        slack.reset()
        sender.click(user, "input.open", str(round_id))  # the input modal: labels and a field error
        modal = slack.wait_for("views.open")[0].params["view"]
        labels = {b["block_id"]: b["label"]["text"] for b in modal["blocks"] if b["type"] == "input"}
        assert labels["entity"] == texts.render("inputs.modal_entity", locale, {}, False)
        assert labels["entity"] != texts.render("inputs.modal_entity", "en", {}, False)
        refused = sender.submit_view(user, modal, {
            "entity": state("static_select", code), "section": state("static_select", "1"),
            "input_kind": state("static_select", "general"), "comment": state("plain_text_input", "  "),
            "proposed_text": state("plain_text_input", ""), "rationale": state("plain_text_input", "")})
        assert refused.json()["errors"]["comment"] == texts.render("errors.field_empty", locale, {}, True)

    slack.reset()
    make_due(engine, Reminder.subject_id == round_id, Reminder.offset == "T-7d")  # a week before: reminders
    for code, locale in LOCALES.items():
        user = focal[code]
        chase = slack.wait_for("chat.postMessage", lambda c, u=user: c.params.get("channel") == u, timeout=15)[0]
        assert follows(texts.template("reminders.chase", locale), _text(chase)), (locale, _text(chase))
        assert not follows(texts.template("reminders.chase", "en"), _text(chase))


def test_a_person_chooses_their_language_and_a_process_its_channel_language(own_sender, slack, round_world, texts):
    sender, unido = own_sender, round_world["focal"]["UNIDO"]  # Slack says fr-FR
    sender.command(unido, "language ru")
    said = slack.wait_for("response_url")[0]
    assert follows(texts.template("language.set", "ru"), _text(said))
    slack.reset()
    sender.command(unido, "whoami")
    assert follows(texts.template("whoami.fallback", "ru"), _text(slack.wait_for("response_url")[0]))
    slack.reset()
    sender.command(unido, "language auto")
    assert follows(texts.template("language.set_auto", "fr"), _text(slack.wait_for("response_url")[0]))
    slack.reset()
    sender.command(unido, "language klingon")
    assert follows(texts.template("language.unknown", "fr"), _text(slack.wait_for("response_url")[0]))

    slack.reset()
    sender.command(unido, "process language framework es")  # only the secretariat
    assert follows(texts.template("errors.not_allowed", "fr"), _text(slack.wait_for("response_url")[0]))
    slack.reset()
    sender.command(SECRETARIAT, "process language framework es")
    assert follows(texts.template("language.process_set", "en"), _text(slack.wait_for("response_url")[0]))
    with Session(round_world["engine"]) as s:
        from storage.models import Process
        assert s.exec(select(Process.language).where(Process.handle == "framework")).one() == "es"


@pytest.mark.parametrize("language,expected", [
    ("ru", {1: "one", 2: "few", 5: "many", 21: "one"}),
    ("ar", {1: "one", 2: "two", 5: "few", 21: "many"}),
])
def test_counted_texts_take_the_plural_form_of_the_language(texts, language, expected):
    for n, category in expected.items():
        for key in ("hlcm.narrative_missing", "home.answered_inputs", "hlcm.narrative_reporting_history"):
            form = texts.locales[language][f"{key}.{category}"]
            assert texts.count_template(key, n, language) == form, (key, n, category)


def _matrix_world(private_database_url) -> None:
    """A round asking UNIDO, straight through the domain services (the scenario above drives Slack)."""
    from datetime import date, time

    from bot.people.service import ensure_person
    from bot.processes.service import NewProcess, create_process
    from bot.roles.service import sync_secretariat
    from bot.rounds.service import OpenRound, open_round
    from storage.models import Document, DocumentVersion, Section

    engine = make_engine(private_database_url)
    with session_scope(engine) as s:
        sync_secretariat(s, [SECRETARIAT])
        secretariat = ensure_person(s, SECRETARIAT)
        process = create_process(s, secretariat, NewProcess(handle="framework", kind="consultation",
                                                            title="Framework", timezone="Europe/Zurich",
                                                            members=["UNIDO"]))
        document = Document(process_id=process.id, slug="guidance", title="Guidance")
        s.add(document)
        s.flush()
        version = DocumentVersion(document_id=document.id, number=1, source_name="g.md", source_sha256="0" * 64,
                                  imported_by=SECRETARIAT)
        s.add(version)
        s.flush()
        s.add(Section(version_id=version.id, position=0, number="1", heading="Purpose", text="…", identity="g-0"))
        s.flush()
        open_round(s, secretariat, OpenRound(process="framework", version_id=version.id,
                                             deadline_date=date(2031, 6, 30), deadline_time=time(17, 0),
                                             timezone="Europe/Zurich", entities=["UNIDO"]))
    engine.dispose()


def test_a_french_matrix_export_has_french_headers_and_dates(private_database_url, prompts_dir, texts, tmp_path):
    _matrix_world(private_database_url)
    out = tmp_path / "matrix.xlsx"
    env = {"DATABASE_URL": private_database_url, "CONSULTBOT_PROMPTS_DIR": str(prompts_dir)}
    consultbot("export", "matrix", "framework", "--lang", "fr", "--out", str(out), env=env)
    sheet = load_workbook(out).active
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    header = next(r for r in rows if r and r[0] == texts.render("matrix.column.no", "fr", {}, False))
    assert header[1] == texts.render("matrix.column.entity", "fr", {}, False)
    assert header[1] != texts.render("matrix.column.entity", "en", {}, False)
    block = " ".join(str(c) for r in rows[:6] for c in r)
    assert "30 juin 2031, 17:00 (Europe/Zurich)" in block  # CLDR's French date, the round's zone
    assert sheet.sheet_view.rightToLeft in (None, False)
    refused = consultbot("export", "matrix", "framework", "--lang", "xx", "--out", str(out), env=env, check=False)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr


HISTORY = """year,entity,scope1,scope2,scope3_travel,air_travel,staff,strategy
2024,UNEP,900,2100,2800,2400,950,approved
2024,WMO,100,300,700,600,400,none
"""


def test_an_arabic_summary_runs_right_to_left(private_database_url, prompts_dir, texts, tmp_path):
    env = {"DATABASE_URL": private_database_url, "CONSULTBOT_PROMPTS_DIR": str(prompts_dir)}
    history = tmp_path / "history.csv"
    history.write_text(HISTORY, encoding="utf-8")
    consultbot("hlcm", "import", str(history), env=env)
    out = tmp_path / "summary.docx"
    consultbot("hlcm", "summary", "2024", "--format", "docx", "--lang", "ar", "--out", str(out), env=env)
    body = zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", body, re.S)
    assert paragraphs and all("<w:bidi" in p for p in paragraphs)
    tables = re.findall(r"<w:tblPr>.*?</w:tblPr>", body, re.S)
    assert tables and all("<w:bidiVisual" in p for p in tables)
    assert texts.render("hlcm.section.narrative", "ar", {}, False) in body
    xlsx = tmp_path / "summary.xlsx"
    consultbot("hlcm", "summary", "2024", "--format", "xlsx", "--lang", "ar", "--out", str(xlsx), env=env)
    assert all(sheet.sheet_view.rightToLeft for sheet in load_workbook(xlsx).worksheets)


def test_statuses_roles_and_weekdays_reach_a_french_secretariat_member_in_french(own_sender, slack, round_world,
                                                                                  texts):
    """The values put into a text are translated too: a join request's status, a role's name, a weekly rule's
    days (CLDR's names, listed as the language lists them), why reminders were not needed or failed."""
    from bot.formatting import weekdays
    from bot.roles.service import grant
    from storage.models import Process, ReminderStatus, Role
    from storage.types import utcnow

    sender, engine = own_sender, round_world["engine"]
    claire = "U0CLAIREFR"
    slack.add_user(claire, "Claire (EMG secretariat)", tz="Europe/Zurich", locale="fr-FR")
    with session_scope(engine) as s:
        grant(s, SECRETARIAT, claire, Role.SECRETARIAT)
    newcomer = "U0NEWCOMER"
    slack.add_user(newcomer, "Newcomer (UNEP)", tz="Europe/Zurich", locale="en-US")
    sender.command(newcomer, "join framework UNEP")
    ask = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == claire)[0]
    approve = next(e for b in ask.params["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == "join.approve")
    sender.click(claire, "join.approve", approve["value"])
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == newcomer)
    slack.reset()
    sender.click(claire, "join.approve", approve["value"])  # a second click: already decided
    again = _text(slack.wait_for("response_url")[0])
    assert follows(texts.template("errors.join_already_decided", "fr"), again), again
    assert texts.render("join.status_approved", "fr", {}, False) in again and "approved" not in again

    slack.reset()
    sender.command(claire, f"revoke <@{newcomer}> observer framework")
    refused = _text(slack.wait_for("response_url")[0])
    assert follows(texts.template("errors.role_not_held", "fr"), refused), refused
    assert texts.render("roles.observer", "fr", {}, False) in refused and "observer" not in refused

    slack.reset()
    sender.command(claire, "reminders framework weekly mon,thu 09:00")
    said = _text(slack.wait_for("response_url")[0])
    assert follows(texts.template("reminders.weekly_on", "fr"), said) and "lundi et jeudi" in said, said
    assert weekdays("mon,thu", "fr-FR") == "lundi et jeudi" and "mon,thu" not in said
    with session_scope(engine) as s:  # reminders the sender found no longer needed, and why (stored words)
        process_id = s.exec(select(Process.id).where(Process.handle == "framework")).one()
        for n, why in enumerate(("not focal point", "superseded", "superseded")):
            s.add(Reminder(key=f"skipped-{n}", kind="round.deadline", offset="T-2d", process_id=process_id,
                           recipient=claire, timezone="Europe/Zurich", due_at=utcnow(), send_at=utcnow(),
                           status=ReminderStatus.SKIPPED, outcome=why))
        s.add(Reminder(key="failed-0", kind="round.deadline", offset="T-1d", process_id=process_id,
                       recipient=claire, timezone="Europe/Zurich", due_at=utcnow(), send_at=utcnow(), attempts=5,
                       status=ReminderStatus.FAILED, outcome="gave up: ratelimited"))
    slack.reset()
    sender.command(claire, "reminders framework")
    board = json.dumps(slack.wait_for("response_url")[0].params, ensure_ascii=False)
    assert "lundi et jeudi" in board and "mon,thu" not in board
    for why, n in (("not_focal_point", 1), ("superseded", 2)):
        reason = texts.render(f"reminders.skip.{why}", "fr", {}, False)
        assert texts.render("reminders.skipped_reason", "fr", {"reason": reason, "count": n}, False) in board
    assert "superseded" not in board and "not focal point" not in board
    assert texts.render("reminders.failure.gave_up", "fr", {"error": "ratelimited"}, True) in board
    assert "gave up" not in board  # the sender's words translated, Slack's error code as Slack writes it


def test_a_person_whose_slack_locale_has_no_texts_reads_the_default_locale(bot_env, slack, private_database_url,
                                                                           prompts_dir, texts, tmp_path):
    """DEFAULT_LOCALE=es: a person whose Slack says de-DE reads Spanish; one whose Slack says fr-FR, French."""
    env = {**bot_env, "DATABASE_URL": private_database_url, "CONSULTBOT_PROMPTS_DIR": str(prompts_dir),
           "DEFAULT_LOCALE": "es"}
    process = BotProcess(env, tmp_path / "serve.log").start()
    try:
        sender = SlackSender(process.url, slack.base_url)
        for user, locale, reads in (("U0KLAUSDE", "de-DE", "es"), ("U0CAMILLEFR", "fr-FR", "fr")):
            slack.add_user(user, user, tz="Europe/Berlin", locale=locale)
            slack.reset()
            sender.command(user, "whoami")
            said = _text(slack.wait_for("response_url")[0])
            assert follows(texts.template("whoami.fallback", reads), said), (locale, said)
            assert not follows(texts.template("whoami.fallback", "en"), said)
    finally:
        process.stop()
