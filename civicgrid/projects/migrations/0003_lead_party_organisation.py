"""A project's 牵头党组织 becomes a link to the party register (party.Organisation). Existing
text that names exactly one organisation (its full or short name) is linked and the text
cleared; anything else (no match, or a name two organisations share) stays as text in
`lead_organisation`, now labelled 名册外. Backwards, a linked project gets the organisation's
short name back as text."""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models


def link_party_organisations(apps, schema_editor):
    Organisation = apps.get_model("party", "Organisation")
    Project = apps.get_model("projects", "Project")
    by_name = defaultdict(set)
    for pk, name, short_name in Organisation.objects.values_list("pk", "name", "short_name"):
        for text in (name, short_name):
            if text and text.strip():
                by_name[text.strip()].add(pk)
    for pk, text in Project.objects.exclude(lead_organisation="").values_list(
        "pk", "lead_organisation"
    ):
        found = by_name.get(text.strip(), set())
        if len(found) == 1:
            Project.objects.filter(pk=pk).update(
                lead_party_organisation_id=next(iter(found)), lead_organisation=""
            )


def unlink_party_organisations(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    for project in Project.objects.filter(lead_party_organisation__isnull=False).select_related(
        "lead_party_organisation"
    ):
        org = project.lead_party_organisation
        Project.objects.filter(pk=project.pk).update(
            lead_organisation=(org.short_name or org.name)[:100]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("party", "0001_initial"),
        ("projects", "0002_idea_decision"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="lead_party_organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="party.organisation",
                verbose_name="牵头党组织",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="lead_organisation",
            field=models.CharField(blank=True, max_length=100, verbose_name="牵头党组织（名册外）"),
        ),
        migrations.RunPython(link_party_organisations, unlink_party_organisations),
    ]
