from django.db import migrations, models


class Migration(migrations.Migration):
    """Digests become stored feed states: the document the feed sends, its state and the
    public event it is current for. Existing rows keep their digests with ``seq`` 0 (never
    current); the daily refresh stores their documents."""

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("registry", "0008_audit_lean_indexes"),
    ]

    operations = [
        migrations.RenameModel("PublicStateDigest", "PublicState"),
        migrations.AlterModelOptions(
            name="publicstate",
            options={"verbose_name": "公开状态", "verbose_name_plural": "公开状态"},
        ),
        migrations.AddField(
            model_name="publicstate",
            name="state",
            field=models.CharField(
                blank=True,
                choices=[
                    ("present", "公开"),
                    ("tombstone", "已撤回"),
                    ("removed", "已不再公开"),
                ],
                max_length=20,
                verbose_name="状态",
            ),
        ),
        migrations.AddField(
            model_name="publicstate",
            name="document",
            field=models.TextField(blank=True, verbose_name="公开内容"),
        ),
        migrations.AddField(
            model_name="publicstate",
            name="seq",
            field=models.BigIntegerField(default=0, verbose_name="对应的变更序号"),
        ),
    ]
