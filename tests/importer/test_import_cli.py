"""``retiree-desk import-excel`` and ``import-template`` through ``app.cli.run``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importer_helpers import ident, snapshot, write_xlsx

from app.cli import run

HEAD = ["姓名", "出生年月", "身份证号", "联系电话", "备注"]
GOOD = [["张三", "1943.05", ident(1943, 5, 12, 1), "13800138000", "独居"],
        ["李四", "1950年2月", ident(1950, 2, 3, 2), "13900139000", ""]]


@pytest.fixture
def cli_db(db) -> str:
    db.close()  # the CLI opens its own connection
    return str(db.path)


def _run(capsys, *argv: str) -> tuple[int, str]:
    try:
        code = run(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().out


def test_dry_run_json_writes_nothing(cli_db, tmp_path: Path, capsys):
    path = write_xlsx(tmp_path / "r.xlsx", [["花名册"], HEAD, *GOOD])
    before = snapshot(Path(cli_db))
    code, out = _run(capsys, "import-excel", str(path), "--db", cli_db, "--dry-run", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["dry_run"] is True and data["applied"] is None
    assert data["counts"]["new"] == 2 and data["counts"]["failed"] == 0
    assert data["sheets"][0]["header_row"] == 2
    assert data["hints"][0]["field"] == "居住状况"
    assert snapshot(Path(cli_db)) == before


def test_import_then_reimport_adds_nobody(cli_db, tmp_path: Path, capsys):
    path = write_xlsx(tmp_path / "r.xlsx", [HEAD, *GOOD])
    code, out = _run(capsys, "import-excel", str(path), "--db", cli_db, "--accept-hints")
    assert code == 0 and "新增 2" in out and "导入前已备份数据库" in out
    code, out = _run(capsys, "import-excel", str(path), "--db", cli_db, "--json", "--on-duplicate", "update")
    data = json.loads(out)
    assert code == 0 and data["applied"]["counts"]["new"] == 0 and data["applied"]["counts"]["unchanged"] == 2
    code, out = _run(capsys, "search", "张三", "--db", cli_db, "--json")
    assert json.loads(out)["count"] == 1


def test_failed_rows_give_exit_status_1_and_an_export(cli_db, tmp_path: Path, capsys):
    path = write_xlsx(tmp_path / "r.xlsx", [HEAD, *GOOD, ["王五", "1940.13", "", "", ""]])
    problems = tmp_path / "问题行.xlsx"
    code, out = _run(capsys, "import-excel", str(path), "--db", cli_db, "--problems-out", str(problems))
    assert code == 1
    assert "失败 1" in out and "第4行" in out and "出生日期" in out
    assert problems.exists()


def test_unreadable_file_is_exit_status_1(cli_db, tmp_path: Path, capsys):
    (tmp_path / "x.csv").write_text("随便写点什么\n没有表头\n", encoding="utf-8")
    code, out = _run(capsys, "import-excel", str(tmp_path / "x.csv"), "--db", cli_db, "--json")
    assert code == 1 and "没有找到人员名单" in json.loads(out)["error"]


def test_sheet_option(cli_db, tmp_path: Path, capsys):
    path = write_xlsx(tmp_path / "r.xlsx", [HEAD, GOOD[0]], extra_sheets={"二组": [HEAD, GOOD[1]]})
    code, out = _run(capsys, "import-excel", str(path), "--db", cli_db, "--sheet", "二组", "--json",
                     "--dry-run")
    data = json.loads(out)
    assert data["counts"]["new"] == 1
    assert data["sheets"][0]["skipped_reason"] == "未选择导入"
    code, out = _run(capsys, "import-excel", str(path), "--db", cli_db, "--sheet", "三组")
    assert code == 1


def test_template_command(tmp_path: Path, capsys):
    out_file = tmp_path / "模板.xlsx"
    code, out = _run(capsys, "import-template", str(out_file))
    assert code == 0 and out_file.exists() and "导入模板" in out


def test_map_option_changes_the_mapping(cli_db, tmp_path: Path, capsys):
    path = write_xlsx(tmp_path / "r.xlsx", [["姓名", "手机号码2", "鞋码"], ["张三", "13800138000", "42"]])
    code, out = _run(capsys, "import-excel", str(path), "--db", cli_db, "--dry-run", "--json",
                     "--map", "手机号码2=联系电话", "--map", "C=不导入")
    data = json.loads(out)
    assert code == 0
    assert [c["target"] for c in data["sheets"][0]["columns"]] == ["name", "phones", "__skip__"]
    code, out = _run(capsys, "import-excel", str(path), "--db", cli_db, "--dry-run", "--map", "鞋码=鞋子")
    assert code == 1
    code, out = _run(capsys, "import-excel", str(path), "--db", cli_db, "--dry-run", "--map", "没有=备注")
    assert code == 1
