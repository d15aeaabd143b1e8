"""Tests for the throwaway PostgreSQL server helper."""

from __future__ import annotations

import psycopg

from tests.pg_server import ThrowawayPostgres, find_pg_bindir


def test_find_pg_bindir():
    bindir = find_pg_bindir()
    assert bindir is not None, "PostgreSQL server binaries not found: install the Debian package postgresql"
    assert (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file()


def test_throwaway_postgres_lifecycle():
    pg = ThrowawayPostgres()
    pg.start()
    tmpdir = pg.tmpdir
    try:
        assert pg.url("postgres") == f"postgresql+psycopg://postgres@127.0.0.1:{pg.port}/postgres"
        with psycopg.connect(pg.dsn("postgres")) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            assert conn.execute("show fsync").fetchone() == ("off",)
            assert conn.execute("show max_connections").fetchone() == ("200",)
            assert conn.execute("show server_encoding").fetchone() == ("UTF8",)

        assert pg.create_database("consultbot_test") == pg.url("consultbot_test")
        with psycopg.connect(pg.dsn("consultbot_test")) as conn:
            conn.execute("create table t (x int)")
            conn.execute("insert into t values (42)")
            assert conn.execute("select current_database(), x from t").fetchone() == ("consultbot_test", 42)
    finally:
        pg.stop()
    assert not tmpdir.exists()


def test_sqlalchemy_url_connects():
    import sqlalchemy

    with ThrowawayPostgres() as pg:
        engine = sqlalchemy.create_engine(pg.create_database("sa_check"))
        try:
            with engine.connect() as conn:
                assert conn.execute(sqlalchemy.text("select 1")).scalar() == 1
        finally:
            engine.dispose()


def test_missing_binaries_raise_a_clear_runtime_error(tmp_path):
    import pytest

    with pytest.raises(RuntimeError, match="install the Debian package postgresql"):
        ThrowawayPostgres(bindir=tmp_path).start()
