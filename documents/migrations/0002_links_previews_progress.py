import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("foia", "0002_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="progressed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Last time processing moved on; recovery looks for stalls.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="page",
            name="attempts",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Times a worker claimed it since it was last queued.",
            ),
        ),
        migrations.AddField(
            model_name="page",
            name="error_detail",
            field=models.TextField(blank=True, help_text="For administrators."),
        ),
        migrations.AddField(
            model_name="page",
            name="preview",
            field=models.FileField(
                blank=True,
                help_text="The page image shown in the viewer, rendered on first view.",
                upload_to="previews/%Y/%m/",
            ),
        ),
        migrations.AlterField(
            model_name="page",
            name="error",
            field=models.TextField(blank=True, help_text="Shown to reporters."),
        ),
        migrations.CreateModel(
            name="DocumentLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("original_name", models.CharField(blank=True, max_length=255)),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "added_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "communication",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="document_links",
                        to="foia.communication",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="links",
                        to="documents.document",
                    ),
                ),
                (
                    "request",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="document_links",
                        to="foia.foiarequest",
                    ),
                ),
            ],
            options={"ordering": ["created", "pk"]},
        ),
    ]
