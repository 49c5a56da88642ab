"""The category changelist (/admin/cases/category/: every category on one page, six editable
columns) reads a fixed number of queries, not one per row for the 默认处置部门 select."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.cases.models import Category

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_changelist_queries_do_not_grow_with_rows(
    users, departments, garbage, client_for, django_assert_num_queries
):
    client = client_for(users["admin"])
    client.get("/admin/cases/category/")
    urgent, response = _queries(client, "/admin/cases/category/?is_urgent__exact=1")
    few = len(response.context["cl"].result_list)
    with django_assert_num_queries(urgent):
        response = client.get("/admin/cases/category/")
    rows = len(response.context["cl"].result_list)
    assert rows == Category.objects.count() and rows > few + 30
    # Each row's select still shows its own department, chosen.
    row = list(response.context["cl"].result_list).index(garbage)
    select = re.search(
        rf'<select name="form-{row}-default_department"[^>]*>(.*?)</select>',
        response.content.decode(),
        re.S,
    ).group(1)
    assert re.search(rf'<option value="{departments["cg"].pk}" selected>', select)
    assert select.count("<option") == len(departments) + 1


def test_the_list_still_saves_an_edit(users, departments, garbage, client_for):
    client = client_for(users["admin"])
    response = client.get("/admin/cases/category/?q=0102")
    formset = response.context["cl"].formset
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
        f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
        "_save": "1",
    }
    for form in formset.forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    target = next(f for f in formset.forms if f.instance.pk == garbage.pk)
    data[target.add_prefix("default_department")] = str(departments["fg"].pk)
    response = client.post("/admin/cases/category/?q=0102", data)
    assert response.status_code == 302
    garbage.refresh_from_db()
    assert garbage.default_department == departments["fg"]
