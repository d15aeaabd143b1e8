"""`GET /healthz`: 200 while the database answers, 503 when it does not."""

from __future__ import annotations

import time

import httpx
import psycopg

from tests.bot_process import BotProcess


def test_healthz_is_200_while_the_database_answers(bot):
    response = httpx.get(bot.url + "/healthz")
    assert response.status_code == 200 and response.json() == {"database": "ok"}


def test_healthz_is_503_when_postgresql_goes_away(postgres, slack, bot_env, tmp_path):
    url = postgres.create_database("consultbot_health")
    server = BotProcess({**bot_env, "DATABASE_URL": url}, tmp_path / "serve.log").start()
    try:
        assert httpx.get(server.url + "/healthz").status_code == 200
        with psycopg.connect(postgres.dsn("postgres"), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = 'consultbot_health' AND pid <> pg_backend_pid()")
            admin.execute("DROP DATABASE consultbot_health")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            response = httpx.get(server.url + "/healthz", timeout=5)
            if response.status_code == 503:
                break
            time.sleep(0.2)
        assert response.status_code == 503 and response.json() == {"database": "unreachable"}
    finally:
        server.stop()
