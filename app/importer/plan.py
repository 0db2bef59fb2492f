"""The import plan: every row of the file classified before anything is written.

A row is *new*, *unchanged* (the database already holds the same values), a *duplicate*
(within the file or of a record in the database: same ID number, or same name and birth
date) waiting for the user's choice, *skipped* (totals lines) or *failed* (a problem
that stops it). The dry run shows this plan; the apply step executes the same plan, so
what the user previewed is what happens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from app.importer.mapping import NOTE, SKIP, Column, HeaderGuess, find_header, target_label
from app.importer.normalise import RowData, is_blank, is_footer_row, is_total_row, normalise_row
from app.importer.reader import ReadError, Source
from app.models import LiaisonGroup, Retiree
from app.models.registry import Kind, clean_text, fields, normalize_header
from app.services import rules
from app.services.demo import Cancelled
from app.services.errors import ValidationError

Progress = Callable[[int, int, str], None]
CancelFlag = Callable[[], bool]

from app.importer.choices import CHOICES, NEW, SKIP_DUP, UPDATE  # noqa: E402,F401  (re-exported)

SPECS = {f.name: f for f in fields("retirees")}
PROGRESS_EVERY = 500


@dataclass
class SheetPlan:
    name: str
    header_row: int | None
    columns: list[Column]
    skipped_reason: str | None = None
    rows: int = 0  # data rows read (blank rows not counted)
    blank_rows: int = 0

    @property
    def imported(self) -> bool:
        return self.skipped_reason is None


@dataclass
class Duplicate:
    kind: str  # "db" or "file"
    reason: str  # 身份证号相同 / 姓名和出生日期相同 / 姓名相同且都没有出生日期和身份证号
    existing_id: str | None = None  # kind "db"
    existing_label: str = ""  # who it is, for the user
    other_row: str | None = None  # kind "file": key of the earlier row


@dataclass
class PlannedRow:
    data: RowData
    action: str  # new / unchanged / duplicate / skipped / failed
    existing_id: str | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # for an update
    duplicate: Duplicate | None = None
    skip_reason: str = ""

    @property
    def key(self) -> str:
        return self.data.key


@dataclass
class ImportPlan:
    path: Path
    sheets: list[SheetPlan]
    rows: list[PlannedRow]
    existing_groups: dict[str, str]  # group name → id
    new_groups: list[str]

    def duplicates(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == "duplicate"]

    def issues(self) -> list[Any]:
        return [i for r in self.rows for i in r.data.issues]

    def counts(self, choices: Mapping[str, str] | None = None, default: str = SKIP_DUP) -> dict[str, int]:
        """新增/更新/不变/跳过/失败 row counts, given the choice for each duplicate."""
        c = {"new": 0, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0, "duplicates": 0}
        for r in self.rows:
            if r.action == "duplicate":
                c["duplicates"] += 1
                choice = (choices or {}).get(r.key, default)
                if choice == NEW:
                    c["new"] += 1
                elif choice == UPDATE:
                    c["updated" if (r.changes or r.duplicate.kind == "file") else "unchanged"] += 1
                else:
                    c["skipped"] += 1
            else:
                c[{"new": "new", "unchanged": "unchanged", "skipped": "skipped", "failed": "failed"}[r.action]] += 1
        return c


# -- the database side --------------------------------------------------------------------
def _birth_keys(birth: str | None) -> list[str]:
    return [birth[:7], birth[:4]] if birth and len(birth) >= 7 else ([birth[:4]] if birth else [])


def births_compatible(a: str | None, b: str | None) -> bool:
    """Same birth date at the precision both know: "1943-05" matches "1943-05-12"."""
    if not a or not b:
        return False
    n = min(len(a), len(b))
    return a[:n] == b[:n]


class PeopleIndex:
    """ID numbers and names of the people already in the database (or already read from
    the file), for finding duplicates without a query per row."""

    def __init__(self) -> None:
        self.by_id: dict[str, list[str]] = {}
        self.by_name: dict[str, list[tuple[str, str | None, str | None]]] = {}  # name → (key, birth, id)

    def add(self, key: str, name: str, birth: str | None, id_number: str | None) -> None:
        if id_number:
            self.by_id.setdefault(id_number, []).append(key)
        self.by_name.setdefault(name, []).append((key, birth, id_number))

    @classmethod
    def from_db(cls, session: Session) -> PeopleIndex:
        idx = cls()
        rows = session.connection().execute(
            text("SELECT id, name, birth_date, id_number FROM retirees WHERE deleted = 0"))
        for rid, name, birth, idn in rows:
            idx.add(rid, name, birth, idn)
        return idx

    def match(self, values: Mapping[str, Any]) -> tuple[str, str] | None:
        """(key, reason) of the first person who is possibly the same as ``values``."""
        idn = values.get("id_number")
        if idn and idn in self.by_id:
            return self.by_id[idn][0], "身份证号相同"
        name, birth = values.get("name"), values.get("birth_date")
        for key, other_birth, other_id in self.by_name.get(name, ()):
            if idn and other_id and other_id != idn:
                continue  # two different ID numbers: two people who share a name
            if births_compatible(birth, other_birth):
                return key, "姓名和出生日期相同"
            if not birth and not other_birth and not (idn and other_id):
                return key, "姓名相同，且都没有出生日期"
        return None


def load_groups(session: Session) -> dict[str, str]:
    out: dict[str, str] = {}
    for g in session.exec(select(LiaisonGroup).where(LiaisonGroup.deleted == False)):  # noqa: E712
        out.setdefault(clean_text(g.name), g.id)
    return out


def person_label(values: Mapping[str, Any]) -> str:
    from app.services.idcard import mask_id_number

    parts = [values.get("name") or ""]
    if values.get("birth_date"):
        parts.append(SPECS["birth_date"].format(values["birth_date"]))
    if values.get("id_number"):
        parts.append(mask_id_number(values["id_number"]))
    return "，".join(p for p in parts if p)


def changes_for(existing: Any, data: RowData, groups: Mapping[str, str],
                extra: Mapping[str, Any] | None = None) -> dict[str, tuple[Any, Any]]:
    """What updating ``existing`` with the row would change. Blank cells change nothing
    (they are not in ``data.values``); a less precise birth date never replaces a more
    precise one; phones are added to those already known, never dropped."""
    out: dict[str, tuple[Any, Any]] = {}
    values = {**data.values, **(extra or {})}
    for name, new in values.items():
        old = getattr(existing, name, None)
        spec = SPECS[name]
        if spec.kind is Kind.PARTIAL_DATE and isinstance(old, str) and isinstance(new, str) \
                and len(new) < len(old) and old.startswith(new):
            continue
        if spec.kind is Kind.PHONES:
            merged = list(new) + [p for p in (old or []) if p not in new]
            if set(merged) != set(old or []):
                out[name] = (old, merged)
            continue
        if old != new:
            out[name] = (old, new)
    if data.group_name:
        gid = groups.get(data.group_name)
        if gid is None or gid != getattr(existing, "group_id", None):
            out["group_id"] = (getattr(existing, "group_id", None), gid or data.group_name)
    return out


# -- building the plan --------------------------------------------------------------------
def detect_sheets(path: Path | str | Source, overrides: Mapping[str, str] | None = None) -> list[SheetPlan]:
    """Each sheet with its header and proposed mapping (sheets of notes marked as skipped).
    ``overrides`` maps a header (or a column letter) to the target the user wants for it."""
    if not isinstance(path, Source):
        with Source(path) as src:
            return detect_sheets(src, overrides)
    src = path
    by_header = {normalize_header(k): v for k, v in (overrides or {}).items()}
    out: list[SheetPlan] = []
    for name in src.sheet_names():
        guess = find_header(src.rows(name), by_header)
        if guess is None:
            out.append(SheetPlan(name, None, [], "没有找到含“姓名”等列的表头，不是人员名单"))
        else:
            for col in guess.columns:
                if col.letter in (overrides or {}):
                    col.target = overrides[col.letter]  # type: ignore[index]
            out.append(SheetPlan(name, guess.header_row, guess.columns))
    return out


def _data_rows(src: Source, sheet: SheetPlan) -> Iterator[tuple[int, tuple[Any, ...]]]:
    header = sheet.header_row or 0
    for n, row in enumerate(src.rows(sheet.name), 1):
        if n > header:
            yield n, row


def build_plan(session: Session, path: Path | str, *, sheets: Sequence[SheetPlan] | None = None,
               only: Sequence[str] | None = None, progress: Progress | None = None,
               cancel: CancelFlag | None = None) -> ImportPlan:
    """Read the file and classify every row against the database (nothing is written).

    ``sheets`` carries the user's mapping (from ``detect_sheets``, possibly edited); ``only``
    limits the import to the sheets with these names."""
    path = Path(path)
    with Source(path) as src:
        return _build(session, src, sheets, only, progress, cancel)


def _build(session: Session, src: Source, sheets: Sequence[SheetPlan] | None, only: Sequence[str] | None,
           progress: Progress | None, cancel: CancelFlag | None) -> ImportPlan:
    path = src.path
    sheets = list(sheets) if sheets is not None else detect_sheets(src)
    if only:
        names = {s.name for s in sheets}
        missing = [n for n in only if n not in names]
        if missing:
            raise ReadError(f"文件中没有名为“{'、'.join(missing)}”的工作表")
        for s in sheets:
            if s.name not in only and s.skipped_reason is None:
                s.skipped_reason = "未选择导入"
    if not any(s.imported for s in sheets):
        raise ReadError("文件中没有找到人员名单：没有哪个工作表含有“姓名”列的表头")
    people = PeopleIndex.from_db(session)
    in_file = PeopleIndex()
    groups = load_groups(session)
    new_groups: list[str] = []
    planned: list[PlannedRow] = []
    existing_cache: dict[str, Any] = preload_existing(session) if people.by_name else {}
    report = progress or (lambda _d, _t, _s: None)
    done = 0
    for sheet in sheets:
        if not sheet.imported:
            continue
        if not any(c.target == "name" for c in sheet.columns):
            sheet.skipped_reason = "没有对应「姓名」的列"
            continue
        for rownum, cells in _data_rows(src, sheet):
            done += 1
            if done % PROGRESS_EVERY == 0:
                report(done, 0, f"正在检查“{sheet.name}”第 {rownum} 行")
                if cancel and cancel():
                    raise Cancelled()
            if is_blank(cells):
                sheet.blank_rows += 1
                continue
            sheet.rows += 1
            if is_total_row(cells, sheet.columns):
                data = RowData(sheet.name, rownum, {})
                planned.append(PlannedRow(data, "skipped", skip_reason="合计行"))
                continue
            if is_footer_row(cells, sheet.columns):
                data = RowData(sheet.name, rownum, {})
                planned.append(PlannedRow(data, "skipped", skip_reason="表尾说明文字"))
                continue
            data = normalise_row(cells, sheet.columns, sheet.name, rownum)
            if not data.failed:
                _validate(session, data)
            if data.issues:
                data.raw = tuple(cells)
            if data.failed:
                planned.append(PlannedRow(data, "failed"))
                continue
            if data.group_name and data.group_name not in groups and data.group_name not in new_groups:
                new_groups.append(data.group_name)
            planned.append(_classify(session, data, people, in_file, groups, existing_cache))
            in_file.add(data.key, data.values["name"], data.values.get("birth_date"),
                        data.values.get("id_number"))
    report(done, done, "检查完成")
    return ImportPlan(path, list(sheets), planned, groups, new_groups)


def _validate(session: Session, data: RowData) -> None:
    """The retiree rules of the operations (sex and birth date from the ID number, death
    date against status …) on the row's values; fills derived values."""
    from app.importer.normalise import Issue

    values = dict(data.values)
    try:
        values = rules.check(session, "retirees", values, existing=None)
    except ValidationError as exc:
        for p in exc.problems:
            data.issues.append(Issue(data.sheet, data.row, p.field, p.label, p.message))
        return
    data.values = values


def _classify(session: Session, data: RowData, people: PeopleIndex, in_file: PeopleIndex,
              groups: Mapping[str, str], cache: dict[str, Any]) -> PlannedRow:
    hit = people.match(data.values)
    if hit is not None:
        rid, reason = hit
        existing = cache.get(rid)
        if existing is None:
            existing = cache[rid] = _existing(session, rid)
        # A suggestion the record already follows is no news.
        data.hints = [h for h in data.hints if getattr(existing, h.field, None) != h.value]
        changes = changes_for(existing, data, groups)
        if not changes and not missing_contacts(session, rid, data):
            return PlannedRow(data, "unchanged", existing_id=rid)
        dup = Duplicate("db", reason, existing_id=rid, existing_label=person_label(existing._mapping))
        return PlannedRow(data, "duplicate", existing_id=rid, changes=changes, duplicate=dup)
    hit = in_file.match(data.values)
    if hit is not None:
        key, reason = hit
        return PlannedRow(data, "duplicate", duplicate=Duplicate("file", reason, other_row=key,
                                                                 existing_label=key))
    return PlannedRow(data, "new")


PRELOAD_MAX = 30_000


def preload_existing(session: Session) -> dict[str, Any]:
    """Every person's row at once (Core rows, far cheaper than one ORM ``get`` per matched
    line when a whole roster is imported again); empty for a very large database, where the
    rows are fetched one by one as they match."""
    n = session.connection().execute(text("SELECT count(*) FROM retirees WHERE deleted = 0")).scalar() or 0
    if n > PRELOAD_MAX:
        return {}
    table = Retiree.__table__  # type: ignore[attr-defined]
    rows = session.connection().execute(table.select().where(table.c.deleted == False))  # noqa: E712
    return {r.id: r for r in rows}


def _existing(session: Session, rid: str) -> Any:
    table = Retiree.__table__  # type: ignore[attr-defined]
    return session.connection().execute(table.select().where(table.c.id == rid)).one()


def missing_contacts(session: Session, retiree_id: str, data: RowData) -> list[dict[str, Any]]:
    if not data.contacts:
        return []
    from app.models import Contact

    have = {(c.kind, c.name) for c in session.exec(
        select(Contact).where(Contact.retiree_id == retiree_id, Contact.deleted == False))}  # noqa: E712
    return [c for c in data.contacts if (c["kind"], c["name"]) not in have]


__all__ = ["NOTE", "SKIP", "HeaderGuess", "ImportPlan", "PlannedRow", "SheetPlan", "build_plan",
           "detect_sheets", "target_label"]
