"""The errors a user sees as a one-line message and exit status 2 (never a traceback)."""

from __future__ import annotations


class UsageError(Exception):
    """A mistake in the command line or configuration: exit status 2."""
