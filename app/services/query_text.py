"""How a typed search query is normalised before it is looked up in the search keys.

Kept apart from ``app.services.search`` (which imports SQLAlchemy and the table models) so
that the desktop client's roster can filter on each keystroke before the database stack
has loaded. ``app.services.search`` imports it from here.
"""

from __future__ import annotations

import unicodedata

__all__ = ["normalize_query"]


def normalize_query(query: str) -> str:
    """Full-width to half-width, lower case, no spaces: what the search keys hold."""
    q = unicodedata.normalize("NFKC", query).lower()
    return "".join(q.split())
