"""Tests for app.reports.fonts: sfnt checks, font choice, and a real embedded-font PDF."""

from __future__ import annotations

import contextlib
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from app.reports import fonts
from app.reports.fonts import (
    BUNDLED_FAMILY,
    BUNDLED_FONT,
    FONT_ENV_VAR,
    REQUIRED_CHARS,
    FontChoice,
    find_cjk_font,
    font_covers,
    font_family_name,
    is_truetype_outline,
    register_pdf_font,
)

SAMPLE = "退管通 张三 伍佰元整 ¥500.00"


@pytest.fixture(autouse=True)
def _clean_font_env(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(FONT_ENV_VAR, raising=False)
    find_cjk_font.cache_clear()
    yield
    find_cjk_font.cache_clear()


def _sfnt(version: bytes, tags: list[bytes], base: int = 0) -> bytes:
    """A minimal sfnt whose table directory lists ``tags``, each with 4 bytes of data."""
    n = len(tags)
    header = version + struct.pack(">HHHH", n, 16, 0, 0)
    data_start = base + 12 + 16 * n
    records = b"".join(
        struct.pack(">4sIII", tag, 0, data_start + 4 * i, 4) for i, tag in enumerate(tags)
    )
    return header + records + b"\0\0\0\0" * n


def _ttc(*faces: bytes) -> bytes:
    # The TTC header here is 12 bytes plus 4 per face; each face's table offsets are file-absolute.
    header_len = 12 + 4 * len(faces)
    offsets, body, pos = [], b"", header_len
    for face in faces:
        offsets.append(pos)
        body += face
        pos += len(face)
    return (
        b"ttcf"
        + struct.pack(">HHI", 1, 0, len(faces))
        + struct.pack(f">{len(faces)}I", *offsets)
        + body
    )


@pytest.fixture
def cff_font(tmp_path: Path) -> Path:
    p = tmp_path / "fake-cff.otf"
    p.write_bytes(_sfnt(b"OTTO", [b"CFF ", b"cmap", b"head", b"hmtx", b"maxp", b"name"]))
    return p


@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    p = tmp_path / "copy-of-bundled.ttc"
    shutil.copyfile(BUNDLED_FONT, p)
    return p


# --------------------------------------------------------------------------- sfnt reader


def test_bundled_font_is_truetype():
    assert BUNDLED_FONT.is_file()
    assert is_truetype_outline(BUNDLED_FONT)
    assert is_truetype_outline(BUNDLED_FONT, 1)
    assert not is_truetype_outline(BUNDLED_FONT, 2)  # only two faces in the collection


def test_cff_font_is_rejected(cff_font: Path):
    assert not is_truetype_outline(cff_font)


def test_garbage_and_missing_files_are_rejected(tmp_path: Path):
    garbage = tmp_path / "garbage.ttf"
    garbage.write_bytes(b"this is not a font at all, just text" * 10)
    empty = tmp_path / "empty.ttf"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.ttf"
    truncated.write_bytes(BUNDLED_FONT.read_bytes()[:30])
    for p in (garbage, empty, truncated, tmp_path / "missing.ttf", tmp_path):
        assert not is_truetype_outline(p)
        assert not font_covers(p, "退")
        assert font_family_name(p) is None


def test_ttc_faces_are_checked_individually(tmp_path: Path):
    cff_face = _sfnt(b"OTTO", [b"CFF ", b"cmap"], base=20)
    tt_face = _sfnt(b"\x00\x01\x00\x00", [b"cmap", b"glyf", b"loca"], base=20 + len(cff_face))
    p = tmp_path / "mixed.ttc"
    p.write_bytes(_ttc(cff_face, tt_face))
    assert not is_truetype_outline(p, 0)
    assert is_truetype_outline(p, 1)
    assert not is_truetype_outline(p, 2)


def test_bundled_font_covers_gb2312_and_report_characters():
    hanzi = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):  # unassigned GB2312 code points
                hanzi.append(bytes([hi, lo]).decode("gb2312"))
    assert len(hanzi) == 6763
    assert font_covers(BUNDLED_FONT, "".join(hanzi))
    assert font_covers(BUNDLED_FONT, REQUIRED_CHARS + SAMPLE + "ABCxyz.,")
    assert not font_covers(BUNDLED_FONT, "退\U0010fffd")  # plane-16 private use: never present


def test_cmap_reader_agrees_with_reportlab():
    from reportlab.pdfbase.ttfonts import TTFontFile

    rl = TTFontFile(str(BUNDLED_FONT), subfontIndex=0).charToGlyph
    for ch in "退管通张三伍佰元整¥0５€\u3000A":
        assert font_covers(BUNDLED_FONT, ch) == (ord(ch) in rl), ch


def test_family_names():
    assert font_family_name(BUNDLED_FONT, 0) == BUNDLED_FAMILY
    assert font_family_name(BUNDLED_FONT, 1) == "WenQuanYi Micro Hei Mono"


# --------------------------------------------------------------------------- choosing


def test_bundled_font_when_system_not_preferred():
    choice = find_cjk_font(prefer_system=False)
    assert choice == FontChoice(BUNDLED_FONT, 0, BUNDLED_FAMILY, bundled=True)


def test_env_var_wins(monkeypatch: pytest.MonkeyPatch, bundled_copy: Path):
    monkeypatch.setenv(FONT_ENV_VAR, str(bundled_copy))
    for prefer_system in (False, True):
        choice = find_cjk_font(prefer_system=prefer_system)
        assert choice.path == bundled_copy
        assert choice.subfont_index == 0
        assert choice.family == BUNDLED_FAMILY
        assert not choice.bundled


@pytest.mark.parametrize("target", ["missing.ttf", "fake-cff.otf"])
def test_unusable_env_var_is_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cff_font: Path, target: str
):
    monkeypatch.setenv(FONT_ENV_VAR, str(tmp_path / target))
    assert find_cjk_font(prefer_system=False).bundled


def test_system_candidates_filtered(
    monkeypatch: pytest.MonkeyPatch, cff_font: Path, bundled_copy: Path, tmp_path: Path
):
    garbage = tmp_path / "garbage.ttf"
    garbage.write_bytes(b"\0" * 64)
    monkeypatch.setattr(
        fonts, "_system_candidates", lambda: [(cff_font, 0), (garbage, 0), (bundled_copy, 1)]
    )
    choice = find_cjk_font()
    assert choice == FontChoice(bundled_copy, 1, "WenQuanYi Micro Hei Mono", bundled=False)
    assert find_cjk_font(prefer_system=False).bundled


def test_no_system_candidates_gives_bundled(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(fonts, "_system_candidates", lambda: [])
    assert find_cjk_font().bundled


def test_result_is_cached(monkeypatch: pytest.MonkeyPatch, bundled_copy: Path):
    first = find_cjk_font(prefer_system=False)
    monkeypatch.setenv(FONT_ENV_VAR, str(bundled_copy))
    assert find_cjk_font(prefer_system=False) is first
    find_cjk_font.cache_clear()
    assert find_cjk_font(prefer_system=False).path == bundled_copy


def test_register_falls_back_to_bundled_when_reportlab_rejects_font(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"\0" * 64)
    monkeypatch.setattr(
        fonts, "find_cjk_font", lambda prefer_system=True: FontChoice(broken, 0, "X", False)
    )
    name = register_pdf_font("CJK-fallback-test")
    assert name == "CJK-fallback-test"
    assert Path(pdfmetrics.getFont(name).face.filename) == BUNDLED_FONT
    assert register_pdf_font("CJK-fallback-test") == name  # second call is a no-op


# --------------------------------------------------------------------------- real PDF


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} not on PATH (Debian: apt-get install poppler-utils)")
    return path


def make_sample_pdf(path: Path) -> str:
    name = register_pdf_font()
    # initialFontName keeps ReportLab from putting a non-embedded Helvetica in the page.
    c = Canvas(str(path), initialFontName=name, initialFontSize=18)
    c.setFont(name, 28)
    c.drawString(60, 720, SAMPLE)
    c.setFont(name, 14)
    c.drawString(60, 680, "0123456789  2024年5月1日  离退休人员")
    c.showPage()
    c.save()
    return name


def test_pdf_embeds_subset_font_and_text_extracts(tmp_path: Path):
    pdffonts = _need("pdffonts")
    pdftotext = _need("pdftotext")
    pdf = tmp_path / "fonts-sample.pdf"
    make_sample_pdf(pdf)

    out = subprocess.run([pdffonts, str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]  # skip the header and the dashes
    assert rows, out
    for row in rows:
        cols = row.split()
        # Columns from the right: object id, generation, uni, sub, emb.
        emb, sub, uni = cols[-5], cols[-4], cols[-3]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), out
        assert "TrueType" in row, out
        assert "+" in cols[0], out  # subset fonts get an "ABCDEF+" tag

    text = subprocess.run(
        [pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for word in ("退管通", "张三", "伍佰元整", "¥500.00", "0123456789", "2024年5月1日"):
        assert word in text, text
