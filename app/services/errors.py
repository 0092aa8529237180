"""Errors the services raise that callers import without loading the service that raises them (the
launch path: the case list and detail must not import the outcome recording machinery)."""

from __future__ import annotations


class CaseNotFound(LookupError):
    """The case is not on this device (never was, or it left: reassigned, purged)."""
