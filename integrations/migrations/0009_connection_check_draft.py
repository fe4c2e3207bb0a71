import django.core.serializers.json
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0008_entity_deleted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="connectioncheck",
            name="integration",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="checks",
                to="integrations.integration",
            ),
        ),
        migrations.AddField(
            model_name="connectioncheck",
            name="integration_type",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name="connectioncheck",
            name="draft",
            field=models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder),
        ),
        migrations.AddField(
            model_name="connectioncheck",
            name="draft_secrets",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="connectioncheck",
            name="tested_saved",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="connectioncheck",
            name="found",
            field=models.JSONField(blank=True, default=dict, encoder=django.core.serializers.json.DjangoJSONEncoder),
        ),
    ]
