from django.db import migrations, models

from integrations.engine.contracts import business_key


def label_quarantined(apps, schema_editor):
    """Name the records already in the quarantine by their business key, from the payload they keep."""
    record = apps.get_model("integrations", "QuarantinedRecord")
    batch = []
    for row in record.objects.filter(label="").only("pk", "payload", "remote_id").iterator(chunk_size=500):
        row.label = business_key(row.payload) or row.remote_id
        if row.label:
            batch.append(row)
        if len(batch) >= 500:
            record.objects.bulk_update(batch, ["label"])
            batch = []
    record.objects.bulk_update(batch, ["label"])


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0009_connection_check_draft"),
    ]

    operations = [
        migrations.AddField(
            model_name="quarantinedrecord",
            name="label",
            field=models.CharField(blank=True, max_length=255, verbose_name="Record"),
        ),
        migrations.AddField(
            model_name="quarantinedrecord",
            name="last_retry_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="quarantinedrecord",
            name="last_retry_outcome",
            field=models.CharField(
                blank=True,
                help_text='What the last retry did: "Queued", "Imported", "Failed again: reason"',
                max_length=500,
            ),
        ),
        migrations.AlterField(
            model_name="syncrunentity",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("running", "Running"),
                    ("succeeded", "Succeeded"),
                    ("failed", "Failed"),
                    ("canceled", "Canceled"),
                ],
                default="pending",
                max_length=16,
            ),
        ),
        migrations.AddIndex(
            model_name="syncrun",
            index=models.Index(fields=["integration", "-created_at"], name="run_newest_per_integration"),
        ),
        migrations.RunPython(label_quarantined, migrations.RunPython.noop),
    ]
