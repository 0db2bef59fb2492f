from __future__ import annotations

from app.services.errors import ServiceError


class BundleRejected(ServiceError):
    """A bundle refused as a whole; the database is untouched. The message is Chinese."""
