"""Reading PDFs back with poppler, and the dates the printing tests use."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

ON = date(2025, 6, 30)  # the printing date every test passes, so results never depend on today
YEAR_FROM, YEAR_TO = date(2025, 1, 1), date(2025, 12, 31)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pdf_fonts(path: Path) -> list[list[str]]:
    """pdffonts rows (name, type, …, emb, sub, uni, …) below the header."""
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def squeeze(text: str) -> str:
    """pdftotext output without whitespace (wrapped cells and spacing differ by layout)."""
    return re.sub(r"\s+", "", text)
