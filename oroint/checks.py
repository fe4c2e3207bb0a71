"""Start-up checks: refuse to run a production deployment on development secrets."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_secrets(app_configs, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    errors = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(
            Error("SECRET_KEY is not set.", hint="Export SECRET_KEY with a long random value.", id="oroint.E001")
        )
    if settings.FIELD_ENCRYPTION_KEYS == [settings.DEV_FIELD_ENCRYPTION_KEY]:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: API keys would be encrypted with the public development key.",
                hint="Export FIELD_ENCRYPTION_KEYS; generate one with `manage.py generate_encryption_key`.",
                id="oroint.E002",
            )
        )
    return errors


@register()
def encryption_keys_valid(app_configs, **kwargs) -> list[Error]:
    from cryptography.fernet import Fernet

    errors = []
    for index, key in enumerate(settings.FIELD_ENCRYPTION_KEYS):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                Error(
                    f"FIELD_ENCRYPTION_KEYS entry #{index + 1} is not a valid Fernet key.",
                    hint="Each key is 32 bytes in urlsafe base64 (44 characters).",
                    id="oroint.E003",
                )
            )
    if not settings.FIELD_ENCRYPTION_KEYS:
        errors.append(Error("FIELD_ENCRYPTION_KEYS is empty.", id="oroint.E004"))
    return errors
