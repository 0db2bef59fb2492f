"""The sync commands end to end through ``retiree-desk`` argument parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import run


def _j(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0):
    assert run([*argv, "--json"]) == code
    out = capsys.readouterr().out.strip()
    return json.loads(out) if out else None


def test_cli_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hq, u1 = str(tmp_path / "hq.sqlite3"), str(tmp_path / "u1.sqlite3")
    enrol_file, up, down = (str(tmp_path / n) for n in ("u1.enrol", "up.rdb", "down.rdb"))
    _j(capsys, "init", "--db", hq, "--unit-name", "总部", "--unit-code", "HQ", "--headquarters")
    child = _j(capsys, "unit", "add-child", "--db", hq, "--unit-name", "一分公司", "--unit-code", "U1",
               "--out", enrol_file)
    assert child["code"] == "U1" and Path(enrol_file).exists()
    me = _j(capsys, "enrol", enrol_file, "--db", u1)
    assert me["parent_fingerprint"] == child["parent_fingerprint"]
    _j(capsys, "demo", "--db", u1, "--count", "15")
    out = _j(capsys, "bundle", "export", "--db", u1, "--to", "HQ", "--out", up)
    assert out["seq"] == 1 and out["counts"]["retirees"] == 15
    [preview] = _j(capsys, "bundle", "import", up, "--db", hq, "--dry-run")
    assert preview["applied"] is False and preview["counts"]["new"] > 15
    assert _j(capsys, "stats", "--db", hq)["total"] == 0
    [applied] = _j(capsys, "bundle", "import", up, "--db", hq)
    assert applied["applied"] is True
    assert _j(capsys, "stats", "--db", hq)["total"] == 15
    summary = {r["code"]: r for r in _j(capsys, "unit", "summary", "--db", hq)}
    assert summary["U1"]["people"] > 0 and summary["U1"]["last_bundle"]
    notices = _j(capsys, "notices", "--db", hq)
    assert all(n["told"] + n["not_told"] > 0 for n in notices)
    log = _j(capsys, "bundle", "log", "--db", hq)
    assert [r["result"] for r in log] == ["applied"]
    # Headquarters corrects an address and sends it down; the unit can undo that import.
    from app.db import open_database
    from app.services import operations as ops

    someone = _j(capsys, "search", "--db", u1, "北京", "--limit", "1")["results"][0]
    database = open_database(hq)
    with database.session_scope() as s:
        ops.update(s, "retirees", someone["id"], {"address": "总部更正的地址"}, actor="hq")
    database.close()
    _j(capsys, "bundle", "export", "--db", hq, "--to", "U1", "--out", down)
    [back] = _j(capsys, "bundle", "import", down, "--db", u1)
    assert back["counts"]["updated"] == 1 and back["counts"]["rejected"] == 0
    assert _j(capsys, "search", "--db", u1, "总部更正")["count"] == 1
    assert _j(capsys, "conflicts", "list", "--db", hq) == []
    undone = _j(capsys, "bundle", "undo", "--db", u1)
    assert undone["seq"] == 1
    assert _j(capsys, "search", "--db", u1, "总部更正")["count"] == 0
    # A rejected bundle: exit status 1 and a message, data untouched.
    bad = tmp_path / "bad.rdb"
    bad.write_bytes(b"garbage")
    results = _j(capsys, "bundle", "import", str(bad), "--db", hq, code=1)
    assert results[0]["rejected"] and "不是退管通数据包" in results[0]["error"]
    assert _j(capsys, "stats", "--db", hq)["total"] == 15
