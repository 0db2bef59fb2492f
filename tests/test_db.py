"""The database file: pragmas, migrations, backups, refusal of newer or foreign files."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select

from app import db as dbmod
from app.db import (
    DatabaseTooNewError,
    NotADatabaseError,
    head_revision,
    open_database,
    restore_from,
)
from app.models import Retiree
from app.services import operations as ops

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "schema_0001.sqlite3"


def _tables(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()


def test_new_database_has_every_table_at_head(db_path: Path) -> None:
    database = open_database(db_path)
    database.close()
    tables = _tables(db_path)
    for name in ("units", "liaison_groups", "retirees", "benefits", "contacts", "notices",
                 "notice_deliveries", "visits", "care_cases", "payments", "fund_budgets",
                 "audit_log", "settings", "search_index", "alembic_version"):
        assert name in tables
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head_revision()
    con.close()


def test_the_migrations_build_what_the_models_declare(db_path: Path) -> None:
    # Every table, column and index of the models, and nothing else: a model change
    # without its migration (or a hand-edited script) shows up here.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    database = open_database(db_path)
    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    database.close()


def test_shipped_head_constant_matches_the_scripts() -> None:
    from app.migrations import SCHEMA_HEAD

    assert head_revision() == SCHEMA_HEAD


def test_connection_pragmas(db) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == dbmod.BUSY_TIMEOUT_MS


def test_foreign_keys_are_enforced(db) -> None:
    from sqlalchemy.exc import IntegrityError

    from app.models import Visit

    with pytest.raises(IntegrityError), db.session_scope() as s:
        s.add(Visit(unit_id="x" * 32, retiree_id="y" * 32, kind="家访",
                    visit_date=__import__("datetime").date(2024, 1, 1)))
        s.flush()


def test_session_scope_rolls_back_on_error(db) -> None:
    with pytest.raises(RuntimeError), db.session_scope() as s:
        ops.create(s, "retirees", {"name": "张三"}, actor="t")
        raise RuntimeError("boom")
    with db.session_scope() as s:
        assert s.exec(select(Retiree)).all() == []


def test_first_schema_fixture_opens_and_keeps_its_data(tmp_path: Path) -> None:
    """A database saved with the first schema must open (and upgrade) in every later version."""
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURE_V1, path)
    database = open_database(path)
    with database.session_scope() as s:
        people = s.exec(select(Retiree)).all()
    database.close()
    assert len(people) == 40
    assert all(p.name for p in people)


def _migrations_with_extra(tmp_path: Path, body: str) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(dbmod.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_test_step.py").write_text(
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = '9999'\ndown_revision = '{head_revision()}'\nbranch_labels = None\n"
        "depends_on = None\n\n\ndef upgrade():\n" + body + "\n\ndef downgrade():\n    pass\n",
        encoding="utf-8")
    return scripts


def test_upgrade_backs_up_first_and_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "unit.sqlite3"
    shutil.copyfile(FIXTURE_V1, path)
    scripts = _migrations_with_extra(
        tmp_path, "    op.add_column('retirees', sa.Column('test_col', sa.String(), nullable=True))")
    monkeypatch.setattr(dbmod, "MIGRATIONS_DIR", scripts)
    database = open_database(path)
    database.close()
    backups = list((tmp_path / "backups").glob("*before-upgrade-0001*"))
    assert len(backups) == 1
    con = sqlite3.connect(path)
    cols = {r[1] for r in con.execute("PRAGMA table_info(retirees)")}
    assert "test_col" in cols
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "9999"
    con.close()
    # The backup is the database as it was before the upgrade.
    con = sqlite3.connect(backups[0])
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    assert con.execute("SELECT count(*) FROM retirees").fetchone()[0] == 40
    con.close()


def test_failed_upgrade_leaves_database_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "unit.sqlite3"
    shutil.copyfile(FIXTURE_V1, path)
    scripts = _migrations_with_extra(
        tmp_path,
        "    op.add_column('retirees', sa.Column('test_col', sa.String(), nullable=True))\n"
        "    op.execute('DELETE FROM audit_log')\n"
        "    raise RuntimeError('migration failed half way')")
    monkeypatch.setattr(dbmod, "MIGRATIONS_DIR", scripts)
    with pytest.raises(RuntimeError):
        open_database(path)
    con = sqlite3.connect(path)
    cols = {r[1] for r in con.execute("PRAGMA table_info(retirees)")}
    assert "test_col" not in cols
    assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    con.close()


def test_newer_database_is_refused_untouched(db_path: Path) -> None:
    database = open_database(db_path)
    with database.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dfuture'")
    database.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseTooNewError) as err:
        open_database(db_path)
    assert "更新版本" in str(err.value)
    assert db_path.read_bytes() == before


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "花名册.xlsx"
    junk.write_bytes(b"PK\x03\x04 not sqlite at all")
    with pytest.raises(NotADatabaseError) as err:
        open_database(junk)
    assert "不是退管通数据库" in str(err.value)
    other = tmp_path / "other.sqlite3"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE foo(x)")
    con.commit()
    con.close()
    with pytest.raises(NotADatabaseError):
        open_database(other)


def test_backup_and_restore_round_trip(db, db_path: Path, tmp_path: Path) -> None:
    with db.session_scope() as s:
        ops.create(s, "retirees", {"name": "李四"}, actor="t")
    backup = db.backup(tmp_path / "b.sqlite3")
    with db.session_scope() as s:
        ops.create(s, "retirees", {"name": "王五"}, actor="t")
    db.close()
    safety = restore_from(db_path, backup)
    assert safety.exists() and safety != db_path
    database = open_database(db_path)
    with database.session_scope() as s:
        names = sorted(r.name for r in s.exec(select(Retiree)))
    database.close()
    assert names == ["李四"]
    # The replaced state was saved, with 王五 in it.
    con = sqlite3.connect(safety)
    assert {r[0] for r in con.execute("SELECT name FROM retirees")} == {"李四", "王五"}
    con.close()


def test_restore_refuses_a_newer_backup(db, db_path: Path, tmp_path: Path) -> None:
    backup = db.backup(tmp_path / "b.sqlite3")
    con = sqlite3.connect(backup)
    con.execute("UPDATE alembic_version SET version_num = 'f00dfuture'")
    con.commit()
    con.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseTooNewError):
        restore_from(db_path, backup)
    assert db_path.read_bytes() == before
