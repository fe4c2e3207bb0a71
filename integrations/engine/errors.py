"""Errors a connector raises, classified so that the engine knows what to do with them.

Each carries a message for the admin: the remote system's own words plus what to do about it.
"""


class RemoteError(Exception):
    """The remote system could not be used; the run fails with this message."""


class TransientError(RemoteError):
    """A failure that may pass: HTTP 5xx, a dropped connection, a timeout, a garbled answer."""


class AccessDenied(RemoteError):
    """The remote system refused the credentials."""


class Unreachable(TransientError):
    """No connection could be made to the host."""


class RemoteTimeout(TransientError):
    """The remote system did not answer in time."""


class NotSupported(RemoteError):
    """The remote end is not what the integration expects (not the WSDL of its kind, a missing extension...)."""
