"""Each document against the known data set: names and figures (pdftotext), the embedded CJK
font (pdffonts), page counts, no ID numbers on door-to-door sheets, cancel and progress."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from report_helpers import ON, YEAR_FROM, YEAR_TO, pdf_fonts, pdf_pages, pdf_text, squeeze

from app.reports.documents import DOCUMENTS, build_pdf
from app.services.demo import Cancelled
from app.services.errors import NotFoundError, ServiceError

ACTIVE = ("张建国", "李秀英", "王德明", "赵桂兰")


ID_LIKE = r"(?<!\d)\d{17}[\dXx](?!\d)"


def build(db, doc: str, out: Path, **kw) -> tuple[str, int]:
    with db.session_scope() as s:
        path = build_pdf(doc, s, out / f"{doc}.pdf", on=ON, **kw)
    return squeeze(pdf_text(path)), pdf_pages(path)


def test_document_keys_are_the_public_ones() -> None:
    assert list(DOCUMENTS) == ["visit-sheet", "phone-sheet", "condolence", "payment-list", "cards",
                               "milestones", "year-stats"]


@pytest.mark.parametrize("doc", list(DOCUMENTS))
def test_every_document_embeds_the_cjk_font_and_has_page_furniture(db, known, tmp_path, doc) -> None:
    with db.session_scope() as s:
        path = build_pdf(doc, s, tmp_path / "out.pdf", on=ON, date_from=YEAR_FROM, date_to=YEAR_TO)
    fonts = pdf_fonts(path)
    assert fonts, "no font in the PDF"
    # Every font is an embedded subset (emb and sub columns "yes"): nothing left to the reader's PC.
    for row in fonts:
        assert row[-5:-3] == ["yes", "yes"], row
    assert any(re.match(r"[A-Z]{6}\+", row[0]) for row in fonts)
    text = pdf_text(path)
    pages = pdf_pages(path)
    flat = squeeze(text)
    assert "测试单位" in flat and "打印日期：2025-06-30" in flat
    for n in range(1, pages + 1):
        assert f"第{n}页/共{pages}页" in flat
    for page in text.split("\f")[:pages]:  # unit name and title on every page
        assert page.lstrip().startswith("测试单位")
        assert squeeze(page).count(DOCUMENTS[doc]) or doc == "year-stats"


def test_visit_sheet(db, known, tmp_path) -> None:
    text, pages = build(db, "visit-sheet", tmp_path)
    assert pages == 2  # one page per liaison group
    for name in ACTIVE:
        assert name in text
    assert "陈志强" not in text  # deceased: not visited
    assert "和平里第1组" in text and "组长：李秀英" in text and "组长电话：13800000002" in text
    # Sorted by address: 3号院, 7号院, 12号院.
    assert text.index("李秀英女") < text.index("王德明男") < text.index("张建国男")
    assert "2025-03-08" in text  # 张建国's last home visit
    for header in ("序号", "姓名", "性别", "年龄", "家庭住址", "联系电话", "居住状况", "上次走访", "本次情况", "签字"):
        assert header in text
    assert known.phones["赵桂兰"] in text  # phones in full: the visitor must call ahead


@pytest.mark.parametrize("doc", ["visit-sheet", "phone-sheet"])
def test_door_to_door_sheets_hold_no_id_number(db, known, tmp_path, doc) -> None:
    text, _pages = build(db, doc, tmp_path)
    assert not re.search(ID_LIKE, pdf_text(tmp_path / f"{doc}.pdf"))
    for number in known.id_numbers.values():
        assert number not in text
    assert "身份证" not in text and not re.search(r"\*{4,}", text)  # not even masked


def test_visit_sheet_of_one_group_and_by_ids(db, known, tmp_path) -> None:
    text, pages = build(db, "visit-sheet", tmp_path, group_id="学院路第1组")
    assert pages == 1 and "赵桂兰" in text and "张建国" not in text
    text, pages = build(db, "visit-sheet", tmp_path, ids=[known.id_numbers["张建国"]])
    assert pages == 1 and "张建国" in text and "李秀英女" not in text
    with db.session_scope() as s, pytest.raises(NotFoundError):
        build_pdf("visit-sheet", s, tmp_path / "x.pdf", group_id="没有这个组")
    assert not (tmp_path / "x.pdf").exists()


def test_phone_sheet(db, known, tmp_path) -> None:
    text, pages = build(db, "phone-sheet", tmp_path, date_from=date_(2025, 5, 1))
    assert pages == 2
    assert "2025年5月" in text and "2025-05-06" in text  # 赵桂兰's last call
    for name in ACTIVE:
        assert name in text


def test_condolence_forms_for_the_period(db, known, tmp_path) -> None:
    text, pages = build(db, "condolence", tmp_path, date_from=YEAR_FROM, date_to=YEAR_TO)
    assert pages == 3  # one form per payment
    assert "¥500.00" in text and "人民币伍佰元整" in text
    assert "¥1,000.10" in text and "壹仟元零壹角" in text
    for box in ("经办人", "负责人", "领导审批"):
        assert box in text


def test_condolence_form_for_one_person_and_occasion(db, known, tmp_path) -> None:
    text, pages = build(db, "condolence", tmp_path, ids=[known.people["李秀英"]],
                        occasion="住院慰问", amount="300", goods="花篮、水果", visitors="王主任",
                        date_from=YEAR_FROM, date_to=YEAR_TO)
    assert pages == 1
    assert "李秀英" in text and "住院慰问" in text and "花篮、水果" in text
    assert "¥300.00" in text and "叁佰元整" in text
    with db.session_scope() as s, pytest.raises(ServiceError):
        build_pdf("condolence", s, tmp_path / "x.pdf", ids=[known.people["李秀英"]],
                  occasion="发红包")


def test_payment_list(db, known, tmp_path) -> None:
    text, pages = build(db, "payment-list", tmp_path, date_from=YEAR_FROM, date_to=YEAR_TO)
    assert pages == 1
    for name, amount in (("张建国", "500.00"), ("王德明", "300.00"), ("陈志强", "1,000.10")):
        assert name in text and amount in text
    assert "3人，3笔，金额¥1,800.10" in text and "壹仟捌佰元零壹角" in text
    assert "领款人签字" in text


def test_cards_one_person_per_page_masked_unless_revealed(db, known, tmp_path) -> None:
    ids = [known.people["张建国"], known.people["赵桂兰"]]
    text, pages = build(db, "cards", tmp_path, ids=ids)
    assert pages == 2
    for card in ("基本信息卡", "待遇明细卡", "通信联系卡", "工作告知卡"):
        assert text.count(card) == 2
    assert "刘淑珍" in text and "6,500.00" in text
    assert known.id_numbers["张建国"] not in text and known.id_numbers["张建国"][-4:] in text
    text, _ = build(db, "cards", tmp_path, ids=ids, reveal=True)
    assert known.id_numbers["张建国"] in text


def test_milestones(db, known, tmp_path) -> None:
    text, pages = build(db, "milestones", tmp_path, date_from=YEAR_FROM, date_to=YEAR_TO)
    assert pages == 1
    assert "张建国" in text and "80岁生日" in text and "2025-03-15" in text
    assert "90岁生日" in text and "2025-11-02" in text  # 王德明
    assert "70岁生日" in text  # 李秀英
    assert "赵桂兰" not in text  # 75: no round birthday
    assert "金婚（结婚50周年）" in text and "2025-10-01" in text
    assert "生日3人次，金婚/钻石婚1对" in text
    assert text.index("80岁生日") < text.index("70岁生日") < text.index("金婚（") < text.index("90岁生日")


def test_year_stats(db, known, tmp_path) -> None:
    text, pages = build(db, "year-stats", tmp_path, date_from=YEAR_FROM)
    assert pages == 1
    assert "2025年度离退休工作统计表" in text
    assert "在册4人" in text
    assert "年度预算10,000.00" in text and "支出合计31,800.10" in text
    assert "结余8,199.90" in text and "壹仟捌佰元零壹角" in text
    assert "2025年去世1" in text
    assert "家访11" in text  # one visit, one person
    assert "本年应祝寿（名单）3人，应贺金婚/钻石婚1对" in text


def test_year_stats_sheet_agrees_with_the_statistics_page(db, known, tmp_path) -> None:
    # The sheet for 2024 counts 陈志强 (died in April 2025) among the people on the roll, as
    # the 统计 page does; the key figures on paper are the page's figures.
    from datetime import date

    from app.services.yearly_stats import year_stats

    with db.session_scope() as s:
        page = year_stats(s, 2024)
    assert page["people"]["on_roll"] == 5
    text, _pages = build(db, "year-stats", tmp_path, date_from=date(2024, 1, 1))
    assert "2024年度离退休工作统计表" in text
    assert f"在册{page['people']['on_roll']}人，统计日2024-12-31" in text
    assert "2024年去世0" in text
    with db.session_scope() as s:
        page = year_stats(s, 2025)
    text, _pages = build(db, "year-stats", tmp_path, date_from=YEAR_FROM)
    assert f"见面走访覆盖{page['visits']['visited_people']}人，占在册{page['visits']['visited_pct']}%" in text
    assert f"支出合计{page['fund']['count']}" in text


def test_cancel_leaves_no_file_and_progress_is_reported(db, known, tmp_path) -> None:
    out = tmp_path / "printed" / "visit.pdf"
    out.parent.mkdir()
    with db.session_scope() as s, pytest.raises(Cancelled):
        build_pdf("visit-sheet", s, out, cancel=lambda: True)
    assert list(out.parent.iterdir()) == []
    seen: list[tuple[int, int, str]] = []
    with db.session_scope() as s:
        build_pdf("visit-sheet", s, out, progress=lambda d, t, m: seen.append((d, t, m)))
    assert seen and seen[-1][0] == seen[-1][1]
    assert [p.name for p in out.parent.iterdir()] == ["visit.pdf"]


def test_unknown_document(db, tmp_path) -> None:
    with db.session_scope() as s, pytest.raises(ServiceError):
        build_pdf("nonsense", s, tmp_path / "x.pdf")


def test_demo_visit_sheet_has_every_active_person_and_no_id(demo_db, tmp_path) -> None:
    from sqlmodel import select

    from app.models import LiaisonGroup, Retiree

    with demo_db.session_scope() as s:
        people = list(s.exec(select(Retiree)))
        groups = {r.group_id for r in people if r.status == "在册"}
        path = build_pdf("visit-sheet", s, tmp_path / "v.pdf", on=ON)
        group_names = [g.name for g in s.exec(select(LiaisonGroup)) if g.id in groups]
    raw = pdf_text(path)
    text = squeeze(raw)
    assert pdf_pages(path) >= len(groups)
    for g in group_names:
        assert g in text
    for r in people:
        if r.id_number:
            assert r.id_number not in text
    assert not re.search(ID_LIKE, raw)


def date_(y: int, m: int, d: int):
    from datetime import date

    return date(y, m, d)


def test_visit_sheet_by_street(db, known, tmp_path) -> None:
    text, pages = build(db, "visit-sheet", tmp_path, by="street")
    assert pages == 2
    assert "片区（街道）：和平里东街" in text and "片区（街道）：学院路" in text


def test_a_list_assembled_elsewhere_prints_and_exports(db, known, tmp_path) -> None:
    from openpyxl import load_workbook

    from app.reports.documents import list_pdf, list_xlsx
    from app.reports.tables import SERIAL, Col, Kind, ListTable, Section

    table = ListTable("提醒名单", [SERIAL, Col.of("retirees", "name"), Col("到期日", 8, Kind.DATE)],
                      [Section("本周", "本周", [[1, "张建国", ON]])], section_label="时间")
    with db.session_scope() as s:
        path = list_pdf(table, s, tmp_path / "r.pdf", on=ON)
    text = squeeze(pdf_text(path))
    assert "提醒名单" in text and "张建国" in text and "2025-06-30" in text
    ws = load_workbook(list_xlsx(table, tmp_path / "r.xlsx")).active
    assert [c.value for c in ws[1]] == ["时间", "序号", "姓名", "到期日"]
    assert ws["D2"].is_date
