"""API keys are encrypted at rest, survive key rotation and are never shown."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from integrations import crypto
from integrations.models import Integration
from tests.factories import magento_integration

pytestmark = pytest.mark.django_db


def stored_key(integration: Integration) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key FROM magento1_magento1settings WHERE integration_id = %s", [integration.pk])
        return cursor.fetchone()[0]


def test_the_database_row_does_not_hold_the_key():
    integration = magento_integration(api_key="s3cret-key-value")
    raw = stored_key(integration)
    assert "s3cret-key-value" not in raw
    assert Integration.objects.get(pk=integration.pk).settings.api_key == "s3cret-key-value"


def test_rotation_keeps_keys_readable_and_re_encrypts(settings):
    integration = magento_integration(api_key="s3cret-key-value")
    old = stored_key(integration)
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, *settings.FIELD_ENCRYPTION_KEYS]):
        assert Integration.objects.get(pk=integration.pk).settings.api_key == "s3cret-key-value"
        call_command("rotate_encryption_keys")
        rotated = stored_key(integration)
        assert rotated != old
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        assert Integration.objects.get(pk=integration.pk).settings.api_key == "s3cret-key-value"


def test_a_key_nobody_can_decrypt_fails_loudly_when_used():
    integration = magento_integration(api_key="s3cret-key-value")
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        with pytest.raises(crypto.SecretDecryptionError):
            str(Integration.objects.get(pk=integration.pk).settings.api_key)


def test_admin_form_never_renders_the_key(admin_client):
    integration = magento_integration(api_key="s3cret-key-value")
    page = admin_client.get(f"/admin/integrations/integration/{integration.pk}/change/")
    assert page.status_code == 200
    assert b"s3cret-key-value" not in page.content
    assert stored_key(integration).encode() not in page.content
