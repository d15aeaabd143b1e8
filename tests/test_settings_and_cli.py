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
