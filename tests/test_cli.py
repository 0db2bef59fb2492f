"""The command line: every core command, in text and --json, against real database files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import run


def _json(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 0) -> dict:
    assert run([*argv, "--json"]) == code
    return json.loads(capsys.readouterr().out)


def test_init_demo_search_show_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "a.sqlite3")
    out = _json(capsys, ["init", "--db", path, "--unit-name", "某某供电分公司", "--unit-code", "GD01"])
    assert out["code"] == "GD01" and out["name"] == "某某供电分公司"
    out = _json(capsys, ["demo", "--db", path, "--count", "120", "--seed", "3"])
    assert out["retirees"] == 120 and out["visits"] > 120 * 5
    out = _json(capsys, ["stats", "--db", path])
    assert out["total"] == 120 and out["active"] + sum(v for k, v in out["by_status"].items() if k != "在册") == 120
    assert sum(out["by_age_band"].values()) == out["active"]
    yearly = _json(capsys, ["stats", "--db", path, "--year", "2025"])["year_stats"]
    assert yearly["year"] == 2025 and yearly["people"]["on_roll"] > 0
    assert sum(m["家访"] for m in yearly["visits"]["by_month"]) == yearly["visits"]["by_kind"].get("家访", 0)
    # Search by the initials of a name the demo produced.
    from app.services.search import name_pinyin

    out = _json(capsys, ["search", "--db", path, "王", "--limit", "5"])
    assert out["count"] >= 1
    first = out["results"][0]
    initials = name_pinyin(first["name"])[1].split()[0]
    out = _json(capsys, ["search", "--db", path, initials])
    assert first["id"] in [r["id"] for r in out["results"]]
    assert all("****" in r["phones"] for r in out["results"] if r["phones"])  # masked
    # show by record id, then by ID number.
    card = _json(capsys, ["show", "--db", path, first["id"]])
    assert card["基本信息卡"]["姓名"] == first["name"]
    assert "*" in card["基本信息卡"]["身份证号"]
    full = _json(capsys, ["show", "--db", path, first["id"], "--reveal"])
    number = full["基本信息卡"]["身份证号"]
    if number:
        by_id = _json(capsys, ["show", "--db", path, number.lower()])
        assert by_id["id"] == first["id"]
    assert run(["show", "--db", path, "不存在的人"]) == 1
    assert "找不到人员" in capsys.readouterr().err


def test_text_output_is_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "a.sqlite3")
    assert run(["demo", "--db", path, "--count", "30"]) == 0
    assert "已生成演示数据：30 人" in capsys.readouterr().out
    assert run(["stats", "--db", path]) == 0
    assert "人员总数 30" in capsys.readouterr().out
    assert run(["search", "--db", path, "qqqqq"]) == 0
    assert "没有找到" in capsys.readouterr().out


def test_backup_and_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "a.sqlite3")
    run(["demo", "--db", path, "--count", "20"])
    capsys.readouterr()
    out = _json(capsys, ["backup", "--db", path, "--out", str(tmp_path / "copy.sqlite3")])
    assert Path(out["backup"]).exists() and out["bytes"] > 0
    run(["demo", "--db", path, "--count", "20", "--seed", "9"])
    capsys.readouterr()
    assert _json(capsys, ["stats", "--db", path])["total"] == 40
    out = _json(capsys, ["restore", "--db", path, str(tmp_path / "copy.sqlite3")])
    assert Path(out["previous_saved_as"]).exists()
    assert _json(capsys, ["stats", "--db", path])["total"] == 20
    # Default backup location: a backups/ folder beside the database.
    out = _json(capsys, ["backup", "--db", path])
    assert Path(out["backup"]).parent == tmp_path / "backups"


def test_errors_are_reported_with_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nope.sqlite3")
    assert run(["stats", "--db", missing]) == 1
    assert "找不到数据库文件" in capsys.readouterr().err
    path = str(tmp_path / "a.sqlite3")
    assert run(["init", "--db", path, "--unit-name", "甲", "--unit-code", "A1"]) == 0
    assert run(["init", "--db", path, "--unit-name", "乙", "--unit-code", "B1", "--json"]) == 1
    captured = capsys.readouterr()
    assert "已经初始化" in json.loads(captured.out.splitlines()[-1])["error"]
    assert run(["restore", "--db", path, str(tmp_path / "none.sqlite3")]) == 1
    with pytest.raises(SystemExit) as exc:
        run(["demo", "--count", "x"])
    assert exc.value.code == 2


def test_db_path_from_environment_and_entry_point(tmp_path: Path) -> None:
    """``RETIREE_DESK_DB`` is used without --db, through the real ``python -m app`` entry."""
    env = {**os.environ, "RETIREE_DESK_DB": str(tmp_path / "env.sqlite3"),
           "RETIREE_DESK_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-m", "app", "demo", "--count", "10", "--json"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["db"] == str(tmp_path / "env.sqlite3")
    assert (tmp_path / "env.sqlite3").exists()


def test_options_before_the_command_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """``retiree-desk --db X --json reminders``: the command's own options must not reset the
    ones given before it (argparse's sub-command defaults did, so the default file was used)."""
    monkeypatch.setenv("RETIREE_DESK_DB", str(tmp_path / "not-this.sqlite3"))
    path = str(tmp_path / "a.sqlite3")
    assert run(["--db", path, "init", "--unit-name", "某某供电分公司", "--unit-code", "GD01"]) == 0
    capsys.readouterr()
    assert run(["--db", path, "--json", "demo", "--count", "20"]) == 0
    assert json.loads(capsys.readouterr().out)["db"] == path
    assert run(["--db", path, "--json", "reminders", "--date", "2026-11-01", "--days", "7"]) == 0
    assert json.loads(capsys.readouterr().out)
    assert not (tmp_path / "not-this.sqlite3").exists()
    # Given after the command, as before.
    assert run(["stats", "--db", path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 20
