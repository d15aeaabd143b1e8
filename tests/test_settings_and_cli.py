"""Start-up: bad settings stop it with one clear line; the CLI's database commands."""

from __future__ import annotations

import pytest

from tests.bot_process import consultbot


@pytest.mark.parametrize(("env", "message"), [
    ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN: missing"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DEFAULT_TIMEZONE": "Europe/Geneva"},
     "DEFAULT_TIMEZONE: 'Europe/Geneva' is not an IANA time zone (did you mean Europe/Zurich"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "eighty"}, "PORT: "),
    ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN: must be a bot token"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SECRETARIAT_USERS": "U01,amina"},
     "SECRETARIAT_USERS: 'amina' is not a Slack user ID"),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": "mysql://x"}, "DATABASE_URL: "),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "LOG_FORMAT": "xml"}, "LOG_FORMAT: "),
    ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "IDEMPOTENCY_RETENTION_DAYS": "0"},
     "IDEMPOTENCY_RETENTION_DAYS: must be a positive number"),
])
def test_a_bad_setting_stops_serve_with_one_line_and_exit_code_2(env, message, tmp_path):
    result = consultbot("serve", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", **env}, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_socket_mode_needs_the_app_token(tmp_path):
    result = consultbot("serve", "--socket", env={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
                                                  "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}, check=False)
    assert result.returncode == 2 and "SLACK_APP_TOKEN: missing" in result.stderr


def test_db_upgrade_seed_and_grant_from_the_command_line(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    assert "up to date" in consultbot("db", "upgrade", env=env).stdout
    assert "entities: 76 added" in consultbot("seed", env=env).stdout
    assert "entities: 0 added" in consultbot("seed", env=env).stdout
    assert "secretariat granted" in consultbot("grant", "U0AMINA", "secretariat", env=env).stdout
    again = consultbot("grant", "U0AMINA", "secretariat", env=env, check=False)
    assert again.returncode == 1 and "already has the secretariat role" in again.stderr


def test_default_locale_is_the_language_of_the_command_line_and_of_documents_asked_without_lang(tmp_path):
    """DEFAULT_LOCALE=fr: the operator reads the CLI's status and error lines in French; a document asked for
    without --lang is in the default language (an Arabic one, right to left); --lang still overrides it."""
    import io
    import zipfile

    from bot.texts import Ref, t_plain

    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3", "DEFAULT_LOCALE": "fr"}
    assert consultbot("db", "upgrade", env=env).stdout.strip() == t_plain("cli.database_up_to_date", "fr")
    assert consultbot("seed", env=env).stdout.strip() == t_plain("cli.seeded", "fr", count=76)
    granted = consultbot("grant", "U0AMINA", "secretariat", env=env).stdout.strip()
    assert granted == t_plain("cli.granted", "fr", user="U0AMINA", role=Ref("roles.secretariat"))
    again = consultbot("grant", "U0AMINA", "secretariat", env=env, check=False)
    assert again.returncode == 1
    assert again.stderr.strip() == t_plain("errors.role_exists", "fr", role=Ref("roles.secretariat"))
    assert "secretariat" not in again.stderr  # the role's name too

    history = tmp_path / "history.csv"
    history.write_text("year,entity,scope1,scope2,scope3_travel,air_travel,staff,strategy\n"
                       "2024,UNEP,900,2100,2800,2400,950,approved\n", encoding="utf-8")
    consultbot("hlcm", "import", str(history), env=env)
    arabic = {**env, "DEFAULT_LOCALE": "ar"}
    out = tmp_path / "summary.docx"
    consultbot("hlcm", "summary", "2024", "--format", "docx", "--out", str(out), env=arabic)
    body = zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("word/document.xml").decode("utf-8")
    assert "<w:bidi" in body and t_plain("hlcm.section.narrative", "ar") in body
    consultbot("hlcm", "summary", "2024", "--format", "docx", "--lang", "en", "--out", str(out), env=arabic)
    body = zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("word/document.xml").decode("utf-8")
    assert "<w:bidi" not in body and t_plain("hlcm.section.narrative", "en") in body


def test_a_default_locale_the_bot_has_no_texts_for_stops_start_up(tmp_path):
    result = consultbot("db", "upgrade", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3",
                                              "DEFAULT_LOCALE": "de-DE"}, check=False)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "DEFAULT_LOCALE: 'de-DE' is not a language the bot has texts for" in result.stderr
