"""Encryption of secrets at rest with MultiFernet over FIELD_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so keys can be rotated by prepending a new one and
running `manage.py rotate_encryption_keys`. A value no key can decrypt is never handed to a remote
API: the field holds an `UnreadableSecret`, which refuses to be read as text.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# What an admin can do about a secret that no configured key decrypts.
UNREADABLE_HINT = (
    "add the key it was encrypted with back to FIELD_ENCRYPTION_KEYS (after the first key), or enter the secret again"
)


class SecretDecryptionError(Exception):
    """A stored secret cannot be decrypted with any configured key."""


class UnreadableSecret:
    """The value of an encrypted field whose ciphertext no key of FIELD_ENCRYPTION_KEYS decrypts.

    Loading the row succeeds, so every page that shows it still renders and can say what is wrong;
    reading the value as text raises SecretDecryptionError, so that neither the ciphertext nor a
    placeholder is ever sent to a remote system as a key. Saved back, it writes the ciphertext
    unchanged: putting the old key back into FIELD_ENCRYPTION_KEYS makes it readable again.
    """

    __slots__ = ("label", "token")

    def __init__(self, token: str, label: str = "secret") -> None:
        self.token = token
        self.label = label

    @property
    def message(self) -> str:
        return f"The stored {self.label} cannot be decrypted with FIELD_ENCRYPTION_KEYS: {UNREADABLE_HINT}."

    def __str__(self) -> str:
        raise SecretDecryptionError(self.message)

    def __repr__(self) -> str:
        return f"<unreadable {self.label}>"  # never the ciphertext: reprs end up in logs and error pages

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnreadableSecret) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plain: str) -> str:
    return fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretDecryptionError(
            f"A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS: {UNREADABLE_HINT}."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token with the first (newest) key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretDecryptionError(
            f"A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS: {UNREADABLE_HINT}."
        ) from exc
