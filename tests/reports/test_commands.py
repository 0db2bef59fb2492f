"""``retiree-desk print`` and ``export-excel`` through ``app.cli.run`` against a database."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from report_helpers import pdf_pages, pdf_text, squeeze

from app.cli import run
from app.reports.documents import DOCUMENTS


@pytest.mark.parametrize("doc", list(DOCUMENTS))
def test_print_every_document(db, known, db_path, tmp_path, capsys, doc) -> None:
    out = tmp_path / f"{doc}.pdf"
    code = run(["print", doc, "--db", str(db_path), "--out", str(out), "--from", "2025-01-01",
                "--to", "2025-12-31", "--on", "2025-06-30", "--json"])
    assert code == 0, capsys.readouterr().err
    data = json.loads(capsys.readouterr().out)
    assert data["out"] == str(out) and data["pages"] == pdf_pages(out) >= 1
    assert DOCUMENTS[doc] in squeeze(pdf_text(out)) or doc == "year-stats"


def test_print_scoped_by_group_and_ids(db, known, db_path, tmp_path, capsys) -> None:
    out = tmp_path / "v.pdf"
    assert run(["print", "visit-sheet", "--db", str(db_path), "--out", str(out),
                "--group", "学院路第1组"]) == 0
    assert "已生成入户走访登记表" in capsys.readouterr().out
    text = squeeze(pdf_text(out))
    assert "赵桂兰" in text and "张建国" not in text
    assert run(["print", "condolence", "--db", str(db_path), "--out", str(out),
                "--ids", known.id_numbers["李秀英"], "--occasion", "困难帮扶", "--amount", "1000.5",
                "--goods", "米、油"]) == 0
    text = squeeze(pdf_text(out))
    assert "李秀英" in text and "¥1,000.50" in text and "壹仟元零伍角" in text


def test_print_errors(db, known, db_path, tmp_path, capsys) -> None:
    out = tmp_path / "v.pdf"
    assert run(["print", "visit-sheet", "--db", str(db_path), "--out", str(out), "--group", "无此组"]) == 1
    assert "找不到联络小组" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(SystemExit) as exc:
        run(["print", "no-such-doc", "--db", str(db_path), "--out", str(out)])
    assert exc.value.code == 2


def test_export_excel(db, known, db_path, tmp_path, capsys) -> None:
    out = tmp_path / "roster.xlsx"
    assert run(["export-excel", "roster", "--db", str(db_path), "--out", str(out)]) == 0
    assert "已导出人员名册" in capsys.readouterr().out
    ws = load_workbook(out).active
    assert ws.max_row == 1 + 4 and ws.freeze_panes == "A2"


def test_print_on_demo_database(demo_db, db_path, tmp_path) -> None:
    out = tmp_path / "p.pdf"
    assert run(["print", "payment-list", "--db", str(db_path), "--out", str(out)]) == 0
    assert "合计" in squeeze(pdf_text(out))
