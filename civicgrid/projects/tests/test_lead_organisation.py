"""A project's 牵头党组织 is a link to the party register (party.Organisation): picked on the
desk's form and in the API among the organisations the user may name (active, in scope), shown
by name on the project's page; one outside the register stays as text. The data migration
links the old texts that name exactly one organisation and leaves the rest as text."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from civicgrid.projects.models import Project, ProjectEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(tree):
    from civicgrid.party import services

    start = datetime.date(2020, 1, 1)
    town = services.do_save_organisation(
        {
            "name": "中共测试街道委员会",
            "short_name": "街道党工委",
            "level": "committee",
            "sector": "organ",
            "grid": tree["street"],
            "started_on": start,
        }
    )
    branches = [
        services.do_save_organisation(
            {
                "name": f"中共{community.name}总支部委员会",
                "short_name": f"{community.name}党总支",
                "level": "general_branch",
                "sector": "residential",
                "parent": town,
                "grid": community,
                "started_on": start,
            }
        )
        for community in tree["communities"]
    ]
    return {"town": town, "branches": branches}


def _form(campaign, tree, **fields):
    return {
        "campaign": campaign.pk,
        "title": "楼道微更新",
        "community": tree["communities"][0].pk,
        "kind": "micro_renewal",
        "summary": "",
        "lon": "",
        "lat": "",
        "case_numbers": "",
        "hotspots": "",
        "lead_party_organisation": "",
        "lead_organisation": "",
        "partners": "",
        "budget": "10",
        "funding": "",
        "deliverables": "",
        "maintainer": "",
    } | fields


def test_the_desk_picks_the_lead_from_the_register(client_for, users, campaign, tree, orgs):
    desk = client_for(users["staff"])
    mine, theirs = orgs["branches"]
    page = desk.get("/projects/new/").content.decode()
    select = page[page.index('name="lead_party_organisation"') :]
    select = select[: select.index("</select>")]
    # The 居委's own 总支 is offered; the other 居委's is not in its scope.
    assert f'value="{mine.pk}"' in select and f'value="{theirs.pk}"' not in select
    refused = desk.post("/projects/new/", _form(campaign, tree, lead_party_organisation=theirs.pk))
    assert refused.status_code == 200 and 'id="project-form"' in refused.content.decode()
    assert not Project.objects.exists()
    made = desk.post(
        "/projects/new/",
        _form(campaign, tree, lead_party_organisation=mine.pk, lead_organisation="旧写法"),
    )
    assert made.status_code == 302
    project = Project.objects.get()
    # The register's name is the one shown; no second name is kept beside it.
    assert (project.lead_party_organisation, project.lead_organisation) == (mine, "")
    assert mine.short_name in desk.get(f"/projects/{project.pk}/").content.decode()
    # A lead outside the register: the link cleared, the name typed.
    edit = _form(campaign, tree, lead_organisation="某两新组织党支部")
    assert desk.post(f"/projects/{project.pk}/edit/", edit).status_code == 302
    project.refresh_from_db()
    assert (project.lead_party_organisation, project.lead_organisation) == (
        None,
        "某两新组织党支部",
    )
    assert "某两新组织党支部" in desk.get(f"/projects/{project.pk}/").content.decode()
    note = ProjectEvent.objects.filter(project=project, action="edit").latest("pk").note
    assert "牵头党组织" in note


def test_a_closed_lead_stays_on_edit(users, campaign, tree, orgs, make_project):
    from civicgrid.party import services as party
    from civicgrid.projects import services

    mine = orgs["branches"][0]
    project = make_project(lead_party_organisation=mine.pk)
    party.do_close_organisation(mine, datetime.date(2026, 6, 30), reason="合并")
    services.do_edit_project(users["staff"], project, title="楼道微更新（二期）")
    project.refresh_from_db()
    assert (project.title, project.lead_party_organisation_id) == ("楼道微更新（二期）", mine.pk)
    other = make_project(title="另一个项目")
    with pytest.raises(ValidationError) as error:
        services.do_edit_project(users["staff"], other, lead_party_organisation=mine.pk)
    assert "请选择有效的牵头党组织" in str(error.value)


def test_the_api_names_the_lead_by_id(api, users, campaign, tree, orgs):
    mine, theirs = orgs["branches"]
    body = {
        "campaign": campaign.pk,
        "title": "口袋公园",
        "community": tree["communities"][0].pk,
        "kind": "micro_renewal",
        "budget": "20.00",
    }
    desk = api(users["staff"])
    url = "/api/projects/projects/"
    bad = desk.post(url, body | {"lead_party_organisation": theirs.pk}, format="json")
    assert bad.status_code == 400
    assert bad.json()["lead_party_organisation"] == ["请选择有效的牵头党组织。"]
    assert not Project.objects.exists()
    made = desk.post(url, body | {"lead_party_organisation": mine.pk}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["lead_party_organisation"] == mine.pk
    assert made.json()["lead_party_organisation_name"] == mine.short_name
    cleared = desk.patch(
        f"{url}{made.json()['id']}/",
        {"lead_party_organisation": None, "lead_organisation": "某园区联合党支部"},
        format="json",
    )
    assert cleared.status_code == 200
    assert cleared.json()["lead_party_organisation"] is None
    assert cleared.json()["lead_organisation"] == "某园区联合党支部"


def test_the_migration_links_texts_naming_one_organisation(tree, orgs, make_project):
    from civicgrid.party import services as party

    mine = orgs["branches"][0]
    by_short = make_project(lead_organisation=f" {mine.short_name} ")
    by_name = make_project(title="二", lead_organisation=orgs["town"].name)
    unknown = make_project(title="三", lead_organisation="某两新组织党支部")
    # Two organisations share this short name: which one is meant is not guessed.
    party.do_save_organisation(
        {
            "name": "中共某公司支部委员会",
            "short_name": "街道党工委",
            "level": "branch",
            "sector": "enterprise",
            "parent": orgs["town"],
            "started_on": datetime.date(2021, 1, 1),
        }
    )
    shared = make_project(title="四", lead_organisation="街道党工委")
    migration = importlib.import_module(
        "civicgrid.projects.migrations.0003_lead_party_organisation"
    )
    migration.link_party_organisations(apps, None)
    rows = {
        p.pk: (p.lead_party_organisation_id, p.lead_organisation) for p in Project.objects.all()
    }
    assert rows[by_short.pk] == (mine.pk, "")
    assert rows[by_name.pk] == (orgs["town"].pk, "")
    assert rows[unknown.pk] == (None, "某两新组织党支部")
    assert rows[shared.pk] == (None, "街道党工委")
    migration.unlink_party_organisations(apps, None)
    assert Project.objects.get(pk=by_short.pk).lead_organisation == mine.short_name
