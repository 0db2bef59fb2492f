"""Alembic environment: always given a live connection by ``app.db.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - alembic CLI use during development
    from app.db import make_engine

    connection = make_engine(context.config.get_main_option("sqlalchemy.url", "dev.sqlite3")).connect()

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,  # SQLite changes columns by copying the table
    compare_type=True,
)
# The caller's transaction (app.db.upgrade) wraps the whole upgrade.
context.run_migrations()
