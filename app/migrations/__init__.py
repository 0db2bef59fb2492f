"""Alembic migration scripts, shipped inside the package."""

# The newest revision in versions/. Opening a database already at this revision needs no
# Alembic import at all (it costs ~0.5 s of start-up); a test keeps this in step.
SCHEMA_HEAD = "0007"
