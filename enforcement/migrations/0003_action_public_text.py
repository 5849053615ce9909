from django.db import migrations, models


def redact_existing(apps, schema_editor):
    """Store the public text of every existing enforcement decision."""
    from enforcement import redaction

    EnforcementAction = apps.get_model("enforcement", "EnforcementAction")
    batch = []
    for action in EnforcementAction.objects.order_by("pk").iterator(chunk_size=1000):
        action.public_text = redaction.public_text(action)
        batch.append(action)
        if len(batch) == 1000:
            EnforcementAction.objects.bulk_update(batch, ["public_text"])
            batch = []
    EnforcementAction.objects.bulk_update(batch, ["public_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0002_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="enforcementaction",
            name="public_text",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                verbose_name="公开文本（按隐私处理规则处理后）",
            ),
        ),
        migrations.RunPython(redact_existing, migrations.RunPython.noop),
    ]
