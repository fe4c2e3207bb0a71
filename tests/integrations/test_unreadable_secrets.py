"""A stored key that FIELD_ENCRYPTION_KEYS cannot decrypt: pages still render and say so; checks and runs fail."""

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings
from django.urls import reverse

from integrations import crypto, services
from integrations.models import ConnectionCheck, Integration, SyncRun
from tests.factories import magento_integration
from tests.integrations.test_secrets import stored_key

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()


def encrypted_with_a_removed_key(name: str) -> Integration:
    """An integration whose API key was encrypted with a key that is no longer configured."""
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        return magento_integration(name, api_key="old-s3cret-key")


def change_url(integration: Integration) -> str:
    return reverse("admin:integrations_integration_change", args=[integration.pk])


def test_the_list_and_the_change_page_render_and_name_the_integration(admin_client):
    broken = encrypted_with_a_removed_key("Old store")
    fine = magento_integration("New store")

    listing = admin_client.get(reverse("admin:integrations_integration_changelist"))
    page = admin_client.get(change_url(broken))
    other = admin_client.get(change_url(fine))

    assert listing.status_code == page.status_code == other.status_code == 200
    text = listing.content.decode()
    assert "The SOAP API key of Old store cannot be decrypted with FIELD_ENCRYPTION_KEYS" in text
    assert "New store cannot be decrypted" not in text
    assert "Secret cannot be decrypted" in text  # the row's health badge
    text = page.content.decode()
    assert "The SOAP API key of Old store cannot be decrypted" in text
    assert "back to FIELD_ENCRYPTION_KEYS" in text and "enter the SOAP API key again" in text
    assert "cannot be decrypted" not in other.content.decode()
    assert stored_key(broken) not in text and "old-s3cret-key" not in text


def test_saving_the_page_with_a_blank_key_keeps_the_stored_ciphertext(admin_client):
    broken = encrypted_with_a_removed_key("Old store")
    before = stored_key(broken)
    form = admin_client.get(change_url(broken)).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "api_key"}
    data.update({"name": "Old store renamed", "api_key": "", "channel_active": "on"})

    response = admin_client.post(change_url(broken), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Integration.objects.get(pk=broken.pk).name == "Old store renamed"
    assert stored_key(broken) == before  # the old key, put back, still reads it
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode(), OLD_KEY]):
        assert Integration.objects.get(pk=broken.pk).settings.api_key == "old-s3cret-key"


def test_entering_the_key_again_makes_it_readable(admin_client):
    broken = encrypted_with_a_removed_key("Old store")
    form = admin_client.get(change_url(broken)).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "api_key"}
    data.update({"api_key": "new-s3cret-key", "channel_active": "on"})

    assert admin_client.post(change_url(broken), data).status_code == 302
    integration = Integration.objects.get(pk=broken.pk)
    assert integration.settings.api_key == "new-s3cret-key"
    assert services.integration_secret_problem(integration=integration) is None


def test_the_unreadable_value_never_reads_as_text():
    broken = encrypted_with_a_removed_key("Old store")
    value = Integration.objects.get(pk=broken.pk).settings.api_key
    assert isinstance(value, crypto.UnreadableSecret)
    assert stored_key(broken) not in repr(value)
    with pytest.raises(crypto.SecretDecryptionError, match="FIELD_ENCRYPTION_KEYS"):
        str(value)


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_cannot_decrypt_fails_the_check_and_the_run_with_the_reason(monkeypatch, run_worker):
    integration = magento_integration("Shop")
    # The worker runs with keys that do not include the one the key was encrypted with.
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    check = services.connection_check_request(integration=integration)
    run = services.sync_schedule(integration=integration)

    run_worker()

    check.refresh_from_db()
    run.refresh_from_db()
    expected = "The SOAP API key of Shop cannot be decrypted with FIELD_ENCRYPTION_KEYS"
    assert check.status == ConnectionCheck.Status.FAILED and check.message.startswith(expected), check.message
    assert run.status == SyncRun.Status.FAILED and run.message.startswith(expected), run.message
    assert "enter the SOAP API key again" in run.message
    assert not run.entities.exists()  # stopped before any stream was read


def test_key_rotation_leaves_an_unreadable_secret_as_it_is_and_says_so():
    from io import StringIO

    from django.core.management import call_command

    broken = encrypted_with_a_removed_key("Old store")
    fine = magento_integration("New store", api_key="new-s3cret-key")
    before = stored_key(broken)
    out, err = StringIO(), StringIO()

    call_command("rotate_encryption_keys", stdout=out, stderr=err)

    assert "Re-encrypted 1 secret(s)" in out.getvalue()
    assert f"Magento1Settings {broken.pk} api_key" in err.getvalue()
    assert stored_key(broken) == before
    assert Integration.objects.get(pk=fine.pk).settings.api_key == "new-s3cret-key"
