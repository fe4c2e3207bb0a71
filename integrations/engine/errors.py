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


class UnreadableAnswer(RemoteError):
    """The remote system answered, but the answer cannot be read: not the expected format, or a value
    in it beyond what the parser accepts (a text node over its size limit).

    Such an answer can be about one record of a page, so a cursor reads smaller pages and narrower id
    ranges to find that record and quarantine it, instead of failing the run on every try. Not
    transient by itself: asking again for the same page gets the same answer.
    """


class GarbledAnswer(UnreadableAnswer, TransientError):
    """An answer that is not what was expected (a PHP error page instead of SOAP): it may pass, as
    stores answer that way while they fall over, so it is retried first."""
