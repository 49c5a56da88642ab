"""Every filter reads 全部 for "no narrowing", never "---------" or 未知: on the pages (垃圾分类,
沿街商铺, the queue, 已办结案件) and in every FilterSet's form (the API's browsable filters)."""

import importlib
import re

import django_filters
import pytest
from django.apps import apps

from civicgrid.core.forms import FilterFormMixin

pytestmark = pytest.mark.django_db

PAGES = [
    ("operator", "/sorting/points/"),
    ("operator", "/sorting/shifts/"),
    ("operator", "/sorting/weighings/"),
    ("operator", "/sorting/inspections/"),
    ("operator", "/shops/"),
    ("operator", "/console/"),
    ("handler", "/console/history/"),
]


def filter_sets():
    """Every FilterSet class of the project's apps with a model (their filters.py and subclasses
    elsewhere)."""
    for config in apps.get_app_configs():
        if config.name.startswith("civicgrid."):
            try:
                importlib.import_module(f"{config.name}.filters")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.filters":
                    raise
    found, todo = [], [django_filters.FilterSet]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("civicgrid.") and sub._meta.model is not None:
                found.append(sub)
    return found


def selects(html):
    """{name: [(value, text)]} of the single selects in `html`."""
    out = {}
    for attrs, body in re.findall(r"<select([^>]*)>(.*?)</select>", html, re.S):
        if "multiple" in attrs:
            continue
        name = re.search(r'name="([^"]+)"', attrs).group(1)
        out[name] = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', body)
    return out


def get_forms(html):
    """The filter forms (method GET) of a page."""
    return "".join(re.findall(r'<form[^>]*method="get".*?</form>', html, re.S | re.I))


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_filter_pages_read_all(users, client_for, who, url):
    response = client_for(users[who]).get(url)
    assert response.status_code == 200
    filters = get_forms(response.content.decode())
    assert "---------" not in filters
    found = selects(filters)
    assert found, url
    # each filter's empty choice is its first option and reads 全部 (yes/no filters too)
    for name, options in found.items():
        empty = [label for value, label in options if value in ("", "unknown")]
        if empty:
            assert empty == ["全部"], (url, name, options)
            assert options[0][1] == "全部", (url, name)


def test_the_shop_roll_offers_all_blocks_and_associations(users, client_for):
    text = client_for(users["operator"]).get("/shops/").content.decode()
    found = selects(text)
    for name in ("block", "association", "state", "trade", "in_roll"):
        assert found[name][0] == ("unknown" if name == "in_roll" else "", "全部"), name


def test_every_filter_set_uses_the_filter_form():
    found = filter_sets()
    names = {cls.__name__ for cls in found}
    assert {"CaseFilter", "PointFilter", "ShopFilter", "GridFilter", "ResidentFilter"} <= names
    for cls in found:
        assert issubclass(cls._meta.form, FilterFormMixin), cls


@pytest.mark.parametrize("cls", filter_sets(), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_filter_set_form_reads_all(users, rf, cls):
    request = rf.get("/")
    request.user = users["admin"]
    html = str(cls({}, queryset=cls._meta.model.objects.none(), request=request).form)
    assert "---------" not in html
    assert "未知" not in html
    for name, options in selects(html).items():
        if options and options[0][0] in ("", "unknown"):
            assert options[0][1] == "全部", (cls, name)
        assert [label for _value, label in options].count("全部") <= 1, (cls, name)
