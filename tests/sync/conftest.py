"""Installations as separate database files in one temp folder, exchanging real bundle files."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from app.db import Database, open_database
from app.models import SYNCED_MODELS, Retiree
from app.services import operations as ops
from app.services.units import init_self_unit, self_unit
from app.sync.apply import import_bundles
from app.sync.exporter import export_bundle
from app.sync.peers import add_child, enrol

_n = itertools.count(1)


@dataclass
class Site:
    name: str
    db: Database
    code: str
    folder: Path

    def export(self, to: Site, **kw: Any) -> Path:
        out = self.folder / f"{self.code}-to-{to.code}-{next(_n)}.rdb"
        with self.db.session_scope() as s:
            export_bundle(s, to.code, out, actor=self.name, **kw)
        return out

    def take(self, *files: Path, dry_run: bool = False) -> list[dict[str, Any]]:
        return import_bundles(self.db, list(files), actor=self.name, dry_run=dry_run)

    def send(self, to: Site) -> dict[str, Any]:
        [result] = to.take(self.export(to))
        assert not result.get("rejected"), result
        return result

    def snapshot(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Every synced record's user fields and tombstone, by table and id."""
        from app.sync.records import user_fields

        out: dict[str, dict[str, dict[str, Any]]] = {}
        with self.db.session_scope() as s:
            for table, model in SYNCED_MODELS.items():
                if table == "units":
                    continue
                rows = {}
                for row in s.exec(select(model)):
                    rows[row.id] = {f: getattr(row, f) for f in [*user_fields(table), "deleted"]}
                out[table] = rows
        return out

    def people(self) -> dict[str, Retiree]:
        with self.db.session_scope() as s:
            return {r.id: r for r in s.exec(select(Retiree))}

    def file_bytes(self) -> bytes:
        self.db.close()
        con = sqlite3.connect(self.db.path)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        data = self.db.path.read_bytes()
        return data


class Network:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.sites: list[Site] = []

    def headquarters(self, code: str = "HQ") -> Site:
        folder = self.root / code
        folder.mkdir()
        db = open_database(folder / "db.sqlite3")
        with db.session_scope() as s:
            init_self_unit(s, "总部", code, actor="总部", level="总部")
        site = Site("总部", db, code, folder)
        self.sites.append(site)
        return site

    def child(self, parent: Site, code: str, name: str | None = None) -> Site:
        folder = self.root / code
        folder.mkdir()
        enrol_file = parent.folder / f"{code}.enrol"
        with parent.db.session_scope() as s:
            add_child(s, name or f"单位{code}", code, enrol_file, actor=parent.name)
        db = open_database(folder / "db.sqlite3")
        with db.session_scope() as s:
            enrol(s, enrol_file, actor=code)
        site = Site(name or code, db, code, folder)
        self.sites.append(site)
        return site

    def close(self) -> None:
        for site in self.sites:
            site.db.close()


@pytest.fixture
def net(tmp_path: Path) -> Iterator[Network]:
    n = Network(tmp_path)
    yield n
    n.close()


def add_people(site: Site, *names: str) -> list[str]:
    with site.db.session_scope() as s:
        return [ops.create(s, "retirees", {"name": n, "address": f"{n}家"}, actor=site.name).id for n in names]


def unit_id(site: Site) -> str:
    with site.db.session_scope() as s:
        return self_unit(s).id
