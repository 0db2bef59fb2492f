"""Choose the Chinese font used for PDF reports (and, through ``app.ui.fonts``, for the UI).

This module is part of the Qt-free core: it imports only the stdlib and ReportLab.

ReportLab can embed TrueType fonts (``glyf`` outlines) only, so every candidate is
checked with a small stdlib sfnt/TTC reader before use: CFF-flavoured fonts
("OTTO", e.g. Noto Sans CJK) are rejected, and so are fonts whose cmap lacks the
characters our reports always print (hanzi, ASCII digits, ``¥``).
"""

from __future__ import annotations

import bisect
import functools
import logging
import os
import struct
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

__all__ = [
    "BUNDLED_FAMILY",
    "BUNDLED_FONT",
    "BUNDLED_FONT_INDEX",
    "FONT_ENV_VAR",
    "REQUIRED_CHARS",
    "RESOURCES_DIR",
    "FontChoice",
    "bundled_font_choice",
    "find_cjk_font",
    "font_covers",
    "font_family_name",
    "is_truetype_outline",
    "register_pdf_font",
]

logger = logging.getLogger(__name__)

RESOURCES_DIR: Path = Path(__file__).resolve().parents[2] / "resources"
BUNDLED_FONT: Path = RESOURCES_DIR / "fonts" / "wqy-microhei.ttc"
# Face 0 of the collection is the proportional "WenQuanYi Micro Hei"; face 1 is the Mono variant.
BUNDLED_FONT_INDEX: int = 0
BUNDLED_FAMILY: str = "WenQuanYi Micro Hei"

FONT_ENV_VAR = "RETIREE_DESK_FONT"

# A font missing any of these would print boxes in names, amounts written in capitals
# (伍佰元整) or figures. Droid Sans Fallback, for instance, has no ASCII digits and no ¥.
REQUIRED_CHARS = "退管通张三伍佰元整年月日¥0123456789"

# Bounds that keep a corrupt or hostile file from making us allocate or loop without limit.
_MAX_FACES = 256
_MAX_TABLES = 512
_MAX_TABLE_BYTES = 32 * 1024 * 1024


class FontChoice(NamedTuple):  # not a dataclass: quicker to define, and the UI loads this at start
    path: Path
    subfont_index: int
    family: str
    bundled: bool


# --------------------------------------------------------------------------- sfnt reader


def _read_exact(f: BinaryIO, offset: int, size: int) -> bytes:
    f.seek(offset)
    data = f.read(size)
    if len(data) != size:
        raise ValueError("truncated font file")
    return data


def _face_offsets(f: BinaryIO) -> list[int]:
    tag = _read_exact(f, 0, 4)
    if tag != b"ttcf":
        return [0]
    (num_fonts,) = struct.unpack(">I", _read_exact(f, 8, 4))
    if not 0 < num_fonts <= _MAX_FACES:
        raise ValueError("implausible TTC face count")
    return list(struct.unpack(f">{num_fonts}I", _read_exact(f, 12, 4 * num_fonts)))


def _table_directory(f: BinaryIO, index: int) -> tuple[bytes, dict[bytes, tuple[int, int]]]:
    """Return (sfnt version tag, {table tag: (offset, length)}) for face ``index``."""
    offsets = _face_offsets(f)
    if not 0 <= index < len(offsets):
        raise ValueError(f"font has no face {index}")
    base = offsets[index]
    version, num_tables = struct.unpack(">4sH", _read_exact(f, base, 6))
    if not 0 < num_tables <= _MAX_TABLES:
        raise ValueError("implausible table count")
    raw = _read_exact(f, base + 12, 16 * num_tables)
    tables: dict[bytes, tuple[int, int]] = {}
    for i in range(num_tables):
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", raw, 16 * i)
        tables[tag] = (offset, length)
    return version, tables


def _read_table(f: BinaryIO, tables: dict[bytes, tuple[int, int]], tag: bytes) -> bytes:
    if tag not in tables:
        raise ValueError(f"font has no {tag!r} table")
    offset, length = tables[tag]
    if length > _MAX_TABLE_BYTES:
        raise ValueError(f"{tag!r} table too large")
    return _read_exact(f, offset, length)


def is_truetype_outline(path: str | os.PathLike[str], index: int = 0) -> bool:
    """True if face ``index`` of the .ttf/.ttc at ``path`` has TrueType (``glyf``) outlines.

    Never raises: unreadable, truncated or non-font files give False.
    """
    try:
        with open(path, "rb") as f:
            version, tables = _table_directory(f, index)
    except (OSError, ValueError, struct.error):
        return False
    if version not in (b"\x00\x01\x00\x00", b"true"):
        return False
    return b"glyf" in tables and b"loca" in tables and not ({b"CFF ", b"CFF2"} & tables.keys())


# --------------------------------------------------------------------------- cmap


def _cmap4_lookup(data: bytes, off: int, cp: int) -> int:
    if cp > 0xFFFF:
        return 0
    seg_count = struct.unpack_from(">H", data, off + 6)[0] // 2
    ends_off = off + 14
    ends = struct.unpack_from(f">{seg_count}H", data, ends_off)
    i = bisect.bisect_left(ends, cp)
    if i >= seg_count:
        return 0
    starts_off = ends_off + 2 * seg_count + 2  # +2 skips reservedPad
    start = struct.unpack_from(">H", data, starts_off + 2 * i)[0]
    if cp < start:
        return 0
    delta_off = starts_off + 2 * seg_count
    delta = struct.unpack_from(">h", data, delta_off + 2 * i)[0]
    range_off_pos = delta_off + 2 * seg_count + 2 * i
    range_off = struct.unpack_from(">H", data, range_off_pos)[0]
    if range_off == 0:
        return (cp + delta) & 0xFFFF
    # idRangeOffset is relative to its own position in the table (OpenType spec, cmap format 4).
    glyph = struct.unpack_from(">H", data, range_off_pos + range_off + 2 * (cp - start))[0]
    return (glyph + delta) & 0xFFFF if glyph else 0


def _cmap12_lookup(data: bytes, off: int, cp: int) -> int:
    (num_groups,) = struct.unpack_from(">I", data, off + 12)
    groups_off = off + 16
    lo, hi = 0, num_groups
    while lo < hi:
        mid = (lo + hi) // 2
        start, end, glyph = struct.unpack_from(">III", data, groups_off + 12 * mid)
        if cp < start:
            hi = mid
        elif cp > end:
            lo = mid + 1
        else:
            return glyph + (cp - start)
    return 0


def _unicode_subtables(cmap: bytes) -> Iterator[tuple[int, int]]:
    """Yield (format, offset) of every Unicode cmap subtable we know how to read."""
    (num,) = struct.unpack_from(">H", cmap, 2)
    for i in range(num):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
        if platform == 0 or (platform == 3 and encoding in (1, 10)):
            (fmt,) = struct.unpack_from(">H", cmap, offset)
            if fmt in (4, 12):
                yield fmt, offset


def font_covers(path: str | os.PathLike[str], text: str, index: int = 0) -> bool:
    """True if every character of ``text`` maps to a real glyph in face ``index``."""
    try:
        with open(path, "rb") as f:
            _version, tables = _table_directory(f, index)
            cmap = _read_table(f, tables, b"cmap")
        subtables = list(_unicode_subtables(cmap))
        if not subtables:
            return False
        for ch in set(text):
            cp = ord(ch)
            if not any(
                (_cmap4_lookup if fmt == 4 else _cmap12_lookup)(cmap, off, cp)
                for fmt, off in subtables
            ):
                return False
    except (OSError, ValueError, struct.error):
        return False
    return True


# --------------------------------------------------------------------------- name table


def font_family_name(path: str | os.PathLike[str], index: int = 0) -> str | None:
    """English family name of face ``index`` (typographic family preferred), or None."""
    try:
        with open(path, "rb") as f:
            _version, tables = _table_directory(f, index)
            name = _read_table(f, tables, b"name")
        _fmt, count, string_off = struct.unpack_from(">HHH", name, 0)
        found: dict[tuple[int, int], str] = {}
        for i in range(count):
            platform, encoding, lang, name_id, length, offset = struct.unpack_from(
                ">HHHHHH", name, 6 + 12 * i
            )
            if name_id not in (1, 16):
                continue
            raw = name[string_off + offset : string_off + offset + length]
            # Rank: Windows US-English beats other Windows languages beats Mac Roman, so
            # SimSun is reported as "SimSun", the name Qt and Windows users know, not "宋体".
            if platform == 3 and encoding in (0, 1, 10):
                rank = 0 if lang == 0x0409 else 1
                text = raw.decode("utf-16-be", errors="replace")
            elif platform == 1 and encoding == 0 and lang == 0:
                rank = 2
                text = raw.decode("mac_roman", errors="replace")
            else:
                continue
            key = (rank, 0 if name_id == 16 else 1)
            if text.strip() and key not in found:
                found[key] = text.strip()
    except (OSError, ValueError, struct.error):
        return None
    return found[min(found)] if found else None


def _face_count(path: Path) -> int:
    try:
        with open(path, "rb") as f:
            return len(_face_offsets(f))
    except (OSError, ValueError, struct.error):
        return 0


# --------------------------------------------------------------------------- choosing


def bundled_font_choice() -> FontChoice:
    """The font shipped in ``resources/fonts``; raises FileNotFoundError if it is missing."""
    if not BUNDLED_FONT.is_file():
        raise FileNotFoundError(f"bundled CJK font missing: {BUNDLED_FONT}")
    return FontChoice(BUNDLED_FONT, BUNDLED_FONT_INDEX, BUNDLED_FAMILY, bundled=True)


# (file name, substring of the wanted face's family in a collection, or None for face 0).
_WINDOWS_FONTS: tuple[tuple[str, str | None], ...] = (
    ("simsun.ttc", "SimSun"),
    ("simhei.ttf", None),
    ("msyh.ttc", "Microsoft YaHei"),
    ("simkai.ttf", None),
    ("simfang.ttf", None),
)
# Several of these are CFF-flavoured on some macOS releases (Hiragino always is); the
# outline check drops those, so listing them costs nothing.
_MACOS_FONTS: tuple[str, ...] = (
    "/System/Library/Fonts/Supplemental/Songti.ttc",
    "/Library/Fonts/Songti.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
)
# DroidSansFallbackFull.ttf is deliberately absent: it has no ASCII digits or ¥.
# Noto Sans CJK is absent too: it is CFF, which ReportLab cannot embed.
_LINUX_FONTS: tuple[tuple[str, str | None], ...] = (
    ("wqy-microhei.ttc", "Micro Hei"),
    ("wqy-zenhei.ttc", "Zen Hei"),
    ("uming.ttc", "UMing CN"),
)


def _linux_font_dirs() -> list[Path]:
    home = Path.home()
    xdg = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        xdg / "fonts",
        home / ".fonts",
    ]


def _find_files(dirs: list[Path], names: set[str]) -> dict[str, Path]:
    # Distributions file the same font under different sub-folders (truetype/wqy,
    # wenquanyi/..., arphic/...), so search by file name rather than fixed paths.
    found: dict[str, Path] = {}
    for root in dirs:
        if not root.is_dir():
            continue
        for dirpath, _dirnames, filenames in os.walk(root):
            for fn in filenames:
                if fn in names and fn not in found:
                    found[fn] = Path(dirpath) / fn
    return found


def _pick_face(path: Path, family_hint: str | None) -> int:
    if family_hint:
        for i in range(_face_count(path)):
            family = font_family_name(path, i) or ""
            if family_hint.lower() in family.lower():
                return i
    return 0


def _system_candidates() -> list[tuple[Path, int]]:
    if sys.platform == "win32":
        dirs = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        out = []
        for name, hint in _WINDOWS_FONTS:
            for d in dirs:
                p = d / name
                if p.is_file():
                    out.append((p, _pick_face(p, hint)))
                    break
        return out
    if sys.platform == "darwin":
        return [(Path(p), _pick_face(Path(p), "SC")) for p in _MACOS_FONTS if Path(p).is_file()]
    found = _find_files(_linux_font_dirs(), {name for name, _ in _LINUX_FONTS})
    return [
        (found[name], _pick_face(found[name], hint)) for name, hint in _LINUX_FONTS if name in found
    ]


def _usable(path: Path, index: int) -> bool:
    return is_truetype_outline(path, index) and font_covers(path, REQUIRED_CHARS, index)


def _choice(path: Path, index: int) -> FontChoice:
    try:
        bundled = path.resolve() == BUNDLED_FONT.resolve() and index == BUNDLED_FONT_INDEX
    except OSError:
        bundled = False
    family = font_family_name(path, index) or path.stem
    return FontChoice(path, index, family, bundled)


@functools.cache  # lru_cache(maxsize=None); gives find_cjk_font.cache_clear()
def find_cjk_font(prefer_system: bool = True) -> FontChoice:
    """Pick the TrueType font for Chinese text.

    Order: ``$RETIREE_DESK_FONT`` (if the file exists and is usable), then, when
    ``prefer_system``, well-known system fonts, then the bundled WenQuanYi Micro Hei.
    Cached: call ``find_cjk_font.cache_clear()`` after changing the environment.
    """
    env = os.environ.get(FONT_ENV_VAR)
    if env:
        p = Path(env).expanduser()
        if p.is_file() and _usable(p, 0):
            return _choice(p, 0)
        logger.warning(
            "%s=%s ignored: not an existing TrueType font covering Chinese", FONT_ENV_VAR, env
        )
    if prefer_system:
        for path, index in _system_candidates():
            if _usable(path, index):
                return _choice(path, index)
    return bundled_font_choice()


_pdf_lock = threading.Lock()
_pdf_registered: dict[str, FontChoice] = {}


def register_pdf_font(name: str = "CJK") -> str:
    """Register the chosen font with ReportLab under ``name`` (once) and return ``name``.

    ReportLab subsets and embeds TTFonts, so PDFs open correctly on machines
    without Chinese fonts. If the preferred system font fails to load in
    ReportLab, the bundled font is used instead.
    """
    # Imported here: the desktop program finds its font at start-up without loading ReportLab.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _pdf_lock:
        if name in _pdf_registered:
            return name
        choice = find_cjk_font()
        candidates = [choice] if choice.bundled else [choice, bundled_font_choice()]
        errors: list[str] = []
        for c in candidates:
            try:
                font = TTFont(name, str(c.path), subfontIndex=c.subfont_index)
            # ReportLab signals unparseable fonts with TTFError but also with struct/Index/
            # ValueErrors from deep inside its parser; any of them means "try the next font".
            except Exception as exc:
                logger.warning(
                    "ReportLab cannot load %s (face %d): %s", c.path, c.subfont_index, exc
                )
                errors.append(f"{c.path}: {exc}")
                continue
            pdfmetrics.registerFont(font)
            _pdf_registered[name] = c
            logger.info("PDF font %r -> %s (face %d)", name, c.path, c.subfont_index)
            return name
        raise RuntimeError("no usable CJK font for PDF output: " + "; ".join(errors))
