"""Move each Magento 1 integration's settings from the integrations table to this app's own.

Runs before the integrations app drops those columns. The API key is read and written through the
encrypted field, so it stays readable (and is encrypted again with the newest key).
"""

from django.db import migrations

FIELDS = [
    "api_url",
    "api_user",
    "api_key",
    "wsi_mode",
    "mode",
    "guest_customer_sync",
    "sync_start_date",
    "website_id",
    "admin_url",
    "import_order_notes",
    "shared_guest_emails",
    "websites",
    "detected_mode",
    "magento_version",
    "extension_version",
]


def forwards(apps, schema_editor):
    Integration = apps.get_model("integrations", "Integration")
    Settings = apps.get_model("magento1", "Magento1Settings")
    for integration in Integration.objects.filter(integration_type="magento1"):
        Settings.objects.update_or_create(
            integration=integration, defaults={name: getattr(integration, name) for name in FIELDS}
        )


def backwards(apps, schema_editor):
    Integration = apps.get_model("integrations", "Integration")
    Settings = apps.get_model("magento1", "Magento1Settings")
    for found in Settings.objects.all():
        Integration.objects.filter(pk=found.integration_id).update(**{name: getattr(found, name) for name in FIELDS})


class Migration(migrations.Migration):
    dependencies = [("magento1", "0001_initial"), ("integrations", "0003_trigger_labels")]
    run_before = [("integrations", "0004_generic_integration_bindings")]

    operations = [migrations.RunPython(forwards, backwards)]
