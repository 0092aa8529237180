"""What can go wrong talking to head office, in words a user can act on."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every sync failure; the message is fit to show to the user."""


class AuthError(SyncError):
    """Login refused or the session cannot be renewed: the user must sign in again."""


class UntrustedServer(SyncError):
    """The address is not https:// (nor loopback), or the server's certificate or pinned key did not check out."""


class ServerUnavailable(SyncError):
    """Head office could not be reached (or kept answering 'busy') within the retry budget."""


class CursorGone(SyncError):
    """410 on the pull cursor: the server no longer keeps changes that old; a full resync follows."""


class ProtocolError(SyncError):
    """Head office answered something this version of Doorstep does not understand."""

    def __init__(self, message: str, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class Cancelled(SyncError):
    """The user stopped the sync; what was already applied stays applied."""
