"""spouses by marriage date

An index on contacts (kind, marriage_date): the reminders look for the marriages that reach
a jubilee in their window (a few hundred in 26,000 contacts at 10,000 people), which read
every contact before. A plain index: SQLite adds it without rebuilding the table, so the
roster snapshot's triggers (migration 0006) are untouched.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:30:00
"""

from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contacts_kind_marriage_date", "contacts", ["kind", "marriage_date"])


def downgrade() -> None:
    op.drop_index("ix_contacts_kind_marriage_date", table_name="contacts")
