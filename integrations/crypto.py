"""Encryption of secrets at rest with MultiFernet over FIELD_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts, so keys can be rotated by prepending a new one and
running `manage.py rotate_encryption_keys`. A value no key can decrypt raises: failing loudly beats
silently handing ciphertext to a remote API as if it were the key.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretDecryptionError(Exception):
    """A stored secret cannot be decrypted with any configured key."""


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
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS; was a key removed?"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token with the first (newest) key."""
    return fernet().rotate(token.encode()).decode()
