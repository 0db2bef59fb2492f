"""Errors the services raise; every message is Chinese and says what and where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    field: str | None
    label: str | None
    message: str

    def __str__(self) -> str:
        return self.message


class ServiceError(Exception):
    """Base of every error meant to be shown to the user as is."""


class ValidationError(ServiceError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("；".join(p.message for p in problems))

    @property
    def fields(self) -> dict[str, str]:
        return {p.field: p.message for p in self.problems if p.field}


class NotFoundError(ServiceError):
    pass


class StaleRecordError(ServiceError):
    """The record changed since the caller read it (another window, a sync)."""
