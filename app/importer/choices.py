"""What the user may decide for a duplicate row."""

from __future__ import annotations

SKIP_DUP, UPDATE, NEW = "skip", "update", "new"
CHOICES = {SKIP_DUP: "跳过", UPDATE: "更新已有记录（空白单元格不覆盖）", NEW: "作为新人员导入"}
