import django.db.models.deletion
from django.db import migrations, models


def title_links(apps, schema_editor):
    """Earlier links get the title their file name gives (as intake does), or the
    document's when they kept no name."""
    link_model = apps.get_model("documents", "DocumentLink")
    for link in link_model.objects.select_related("document").iterator():
        name = link.original_name.strip()
        stem = name.rsplit(".", 1)[0] if "." in name else name
        title = stem.replace("_", " ").strip()[:255] or link.document.title
        link_model.objects.filter(pk=link.pk).update(title=title)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0003_schedule_recovery"),
    ]

    operations = [
        migrations.AddField(
            model_name="documentlink",
            name="title",
            field=models.CharField(
                blank=True,
                help_text="The title this arrival goes by, from the name it was uploaded under; the document keeps the title of its first upload.",
                max_length=255,
            ),
        ),
        migrations.AlterField(
            model_name="document",
            name="kind",
            field=models.CharField(
                choices=[
                    ("pdf", "PDF"),
                    ("tiff", "TIFF"),
                    ("png", "PNG"),
                    ("jpeg", "JPEG"),
                    ("zip", "ZIP archive"),
                ],
                max_length=8,
            ),
        ),
        migrations.CreateModel(
            name="ArchiveMember",
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
                (
                    "position",
                    models.PositiveIntegerField(
                        help_text="Order in the archive, nested archives unpacked in place."
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="Path inside the archive: folder/inner.zip/a.pdf",
                        max_length=1000,
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("queued", "New document"),
                            ("duplicate", "Uploaded before"),
                            ("rejected", "Not imported"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "reason",
                    models.TextField(blank=True, help_text="Shown to reporters."),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "archive",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="members",
                        to="documents.document",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="archive_entries",
                        to="documents.document",
                    ),
                ),
            ],
            options={
                "ordering": ["archive", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("archive", "position"), name="archive_member_position"
                    )
                ],
            },
        ),
        migrations.RunPython(title_links, migrations.RunPython.noop),
    ]
