"""House rule 1: the core has no Qt. Only app/ui may import PySide6."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def _core_files() -> list[Path]:
    return [p for p in APP.rglob("*.py") if "ui" not in p.relative_to(APP).parts]


def test_no_core_module_imports_qt() -> None:
    offenders = []
    for path in _core_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in {"PySide6", "PyQt5", "PyQt6", "shiboken6"} for n in names):
                offenders.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert offenders == []


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = sorted(
        ".".join(p.relative_to(APP.parent).with_suffix("").parts)
        for p in _core_files() if p.name != "__main__.py" and "migrations" not in p.parts
    )
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "from app.cli import build_parser; build_parser()\n"
            "print(sorted(k for k in sys.modules if k.startswith(('PySide6', 'shiboken6'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=APP.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_command_line_start_up_loads_no_heavy_library() -> None:
    """Building the parser (every command, ``--help``) must not load ReportLab, openpyxl,
    pypinyin, Alembic or the crypto library: each costs tenths of a second at every start."""
    code = ("import sys\nfrom app.cli import build_parser; build_parser()\n"
            "heavy = {'reportlab', 'openpyxl', 'pypinyin', 'alembic', 'cryptography', 'lunar_python',"
            " 'python_calamine', 'PySide6'}\n"
            "print(sorted({k.split('.')[0] for k in sys.modules} & heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=APP.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
