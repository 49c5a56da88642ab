"""Before/after photos cleaned by attachments (a non-image refused, nothing kept) and residents'
ideas (only in the campaign's period, only with text)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.projects import services
from civicgrid.projects.models import Idea, ProjectPhoto
from civicgrid.testing.images import not_an_image, photo
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db


def test_before_and_after_photos(users, make_project, media_files):
    project = make_project()
    stored = services.do_add_photos(users["staff"], project, stage="before", uploads=[photo()])
    assert [p.stage for p in stored] == ["before"] and stored[0].content_type == "image/jpeg"
    with pytest.raises(ValidationError) as error:
        services.do_add_photos(
            users["staff"], project, stage="after", uploads=[photo(), not_an_image()]
        )
    assert "notes.jpg" in error.value.message_dict["photos"][0]
    assert ProjectPhoto.objects.count() == 1
    with pytest.raises(ValidationError):
        services.do_add_photos(users["staff"], project, stage="during", uploads=[photo()])
    with pytest.raises(PermissionDenied):
        services.do_add_photos(users["staff2"], project, stage="after", uploads=[photo()])


def test_ideas(users, campaign, tree):
    idea = services.do_propose_idea(
        users["resident"],
        campaign=campaign,
        community=tree["communities"][0],
        text="小区门口加装休闲座椅",
        now=local(2026, 5, 1, 9),
    )
    assert idea.user == users["resident"]
    with pytest.raises(ValidationError) as error:
        services.do_propose_idea(
            users["resident"],
            campaign=campaign,
            community=tree["micro_grids"][0],
            text="",
            now=local(2027, 1, 2, 9),
        )
    assert set(error.value.message_dict) == {"text", "community", "campaign"}
    with pytest.raises(PermissionDenied):
        services.do_propose_idea(
            users["handler"], campaign=campaign, community=tree["communities"][0], text="好"
        )
    assert Idea.objects.count() == 1
    assert campaign.ends_on == datetime.date(2026, 12, 31)
