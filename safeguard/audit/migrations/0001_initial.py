import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AccessLog",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("action", models.CharField(choices=[("view", "Viewed"), ("download", "Downloaded"), ("export", "Exported")], max_length=20)),
                ("object_pk", models.CharField(max_length=64)),
                ("object_repr", models.CharField(max_length=200)),
                ("partnership_id", models.BigIntegerField(null=True)),
                ("timestamp", models.DateTimeField(auto_now_add=True)),
                ("content_type", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="contenttypes.contenttype")),
                ("user", models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["-timestamp", "-pk"],
                "indexes": [
                    models.Index(fields=["-timestamp"], name="accesslog_recent"),
                    models.Index(fields=["user", "-timestamp"], name="accesslog_by_user"),
                    models.Index(fields=["content_type", "object_pk"], name="accesslog_by_object"),
                    models.Index(fields=["partnership_id", "-timestamp"], name="accesslog_by_partnership"),
                ],
            },
        ),
    ]
