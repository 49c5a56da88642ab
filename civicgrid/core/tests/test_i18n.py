"""English is available: our own strings (models, choices, validators, admin, templates) come back
in English when the user asks for it, Chinese stays the default, and the committed catalogue
(civicgrid/locale/en) covers every string in the sources, so none can silently stay Chinese.

The catalogue checks read the .po/.mo files in Python: CI and fresh clones have no gettext tools.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize
from rest_framework.test import APIClient

from civicgrid.accounts.choices import Role
from civicgrid.grids.models import Grid
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.registry.validators import id_check_char
from civicgrid.testing.factories import UserFactory

LOCALE_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
# Apps of the web front keep their own catalogue (civicgrid/<app>/locale/en/LC_MESSAGES), so
# that work on one area never rewrites another's; makemessages routes each source file to the
# catalogue of the app holding it, and Django merges them all at run time.
APP_LOCALE_DIRS = {
    path.parent.parent.parent: path
    for path in sorted((Path(settings.BASE_DIR) / "civicgrid").glob("*/locale/en/LC_MESSAGES"))
}
ALL_PO_FILES = [PO_FILE, *(d / "django.po" for d in APP_LOCALE_DIRS.values())]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


# --- reading the catalogue ---------------------------------------------------------------------


def _unquote(line):
    return ast.literal_eval(line)


def read_po(path=PO_FILE):
    """The entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list), flags.

    Enough of the format for what makemessages writes; obsolete (#~) entries are skipped."""
    entries = []
    entry = None
    field = None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:
                finish()
                entry = None
            if entry is None:
                entry = {"flags": set(), "msgstr": []}
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = _unquote(line)
            if field == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[field] += value
            continue
        if keyword == "msgctxt" or (keyword == "msgid" and entry is not None and "msgid" in entry):
            finish()
            entry = None
        if entry is None:
            entry = {"flags": set(), "msgstr": []}
        if keyword.startswith("msgstr"):
            field = "msgstr"
            entry["msgstr"].append(_unquote(rest))
        else:
            field = keyword
            entry[keyword] = _unquote(rest)
    finish()
    return entries


def catalogue(path=PO_FILE):
    """(msgctxt, msgid) → entry, without the header entry; {} for a catalogue not written yet
    (an app with no strings)."""
    if not path.exists():
        return {}
    return {(e.get("msgctxt"), e["msgid"]): e for e in read_po(path) if e["msgid"]}


def catalogue_for(source: Path) -> Path:
    """The catalogue makemessages puts a source file's strings in."""
    for app_dir, locale_dir in APP_LOCALE_DIRS.items():
        if app_dir in source.parents:
            return locale_dir / "django.po"
    return PO_FILE


PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%[sdfr]|%%|\{\w*\}")


# --- strings in the sources, found the way makemessages finds them -----------------------------

GETTEXT_NAMES = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}
IGNORED_DIRS = {".venv", "node_modules", "var", "__pycache__"}


def _source_files(suffixes):
    for path in sorted(Path(settings.BASE_DIR).rglob("*")):
        relative = path.relative_to(settings.BASE_DIR)
        if any(part in IGNORED_DIRS or part.startswith(".") for part in relative.parts):
            continue
        if path.suffix in suffixes and path.is_file():
            yield path


def _python_msgids(source, filename):
    for node in ast.walk(ast.parse(source, filename=str(filename))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in GETTEXT_NAMES:
            continue
        context_at, msgid_at = GETTEXT_NAMES[name]
        args = node.args
        if len(args) <= msgid_at:
            continue
        literal = [a.value if isinstance(a, ast.Constant) else None for a in args]
        if not isinstance(literal[msgid_at], str) or not literal[msgid_at]:
            continue
        context = literal[context_at] if context_at is not None else None
        yield context, literal[msgid_at], node.lineno


TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(((?:u?'(?:[^'\\]|\\.)*'\s*,?\s*)+)(?:,\s*count\))?\)")
TEMPLATE_ARG = re.compile(r"u?'(?:[^'\\]|\\.)*'")


def _template_msgids(source, filename):
    # templatize() is what makemessages feeds to xgettext: each {% translate %} and
    # {% blocktranslate %} becomes a gettext('…') call (with % doubled in block text).
    for number, line in enumerate(templatize(source, origin=str(filename)).splitlines(), 1):
        for match in TEMPLATE_CALL.finditer(line):
            args = [ast.literal_eval(a) for a in TEMPLATE_ARG.findall(match.group(2))]
            if match.group(1).startswith(("p", "np")):
                yield args[0], args[1], number
            else:
                yield None, args[0], number


def source_msgids():
    found = {}
    for path in _source_files({".py"}):
        for context, msgid, line in _python_msgids(path.read_text(encoding="utf-8"), path):
            found.setdefault((context, msgid), f"{path.relative_to(settings.BASE_DIR)}:{line}")
    for path in _source_files({".html", ".txt"}):
        text = path.read_text(encoding="utf-8")
        if "{%" not in text:
            continue
        for context, msgid, line in _template_msgids(text, path):
            found.setdefault((context, msgid), f"{path.relative_to(settings.BASE_DIR)}:{line}")
    return found


# --- the catalogue is complete and compiled ----------------------------------------------------


@pytest.mark.parametrize(
    "po_file", ALL_PO_FILES, ids=lambda p: str(p.parent.parent.parent.parent.name)
)
def test_every_entry_is_translated_and_none_is_fuzzy(po_file):
    entries = catalogue(po_file)
    if po_file == PO_FILE:
        assert len(entries) > 300
    untranslated = [k[1] for k, e in entries.items() if not all(s.strip() for s in e["msgstr"])]
    fuzzy = [k[1] for k, e in entries.items() if "fuzzy" in e["flags"]]
    still_chinese = [
        k[1]
        for k, e in entries.items()
        # Examples of Chinese input (addresses, 是/否, the level names a file may use) are quoted
        # inside the English text; a translation that is Chinese throughout is not one.
        if CHINESE.search(e["msgstr"][0]) and not re.search(r"[A-Za-z]{3}", e["msgstr"][0])
    ]
    assert not untranslated, f"untranslated in {po_file}: {untranslated}"
    assert not fuzzy, f"fuzzy in {po_file} (check, then drop the flag): {fuzzy}"
    assert not still_chinese, f"not translated to English: {still_chinese}"


@pytest.mark.parametrize(
    "po_file", ALL_PO_FILES, ids=lambda p: str(p.parent.parent.parent.parent.name)
)
def test_translations_keep_every_placeholder(po_file):
    mismatched = [
        (key[1], entry["msgstr"][0])
        for key, entry in catalogue(po_file).items()
        if sorted(PLACEHOLDER.findall(key[1])) != sorted(PLACEHOLDER.findall(entry["msgstr"][0]))
    ]
    assert not mismatched


def test_every_string_in_the_sources_is_in_the_catalogue():
    catalogues = {path: catalogue(path) for path in ALL_PO_FILES}
    main = catalogues[PO_FILE]
    missing = {
        key: where
        for key, where in source_msgids().items()
        if key not in main
        and key not in catalogues[catalogue_for(Path(settings.BASE_DIR) / where.rsplit(":", 1)[0])]
    }
    assert not missing, (
        "strings not in their catalogue (civicgrid/locale/en or the app's own locale/en) — run "
        f"`make messages` and translate them: {sorted(missing.values())}"
    )


@pytest.mark.parametrize(
    "po_file", ALL_PO_FILES, ids=lambda p: str(p.parent.parent.parent.parent.name)
)
def test_the_compiled_catalogue_matches_the_po_file(po_file):
    entries = catalogue(po_file)
    if not entries:
        return
    with po_file.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for (context, msgid), entry in entries.items():
        if entry.get("msgid_plural"):
            got = compiled.ngettext(msgid, entry["msgid_plural"], 1)
        elif context is not None:
            got = compiled.pgettext(context, msgid)
        else:
            got = compiled.gettext(msgid)
        if got != entry["msgstr"][0]:
            stale.append(msgid)
    assert not stale, f"django.mo is older than django.po — run `make messages`: {stale[:5]}"


def test_po_reader_handles_wrapped_and_flagged_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid ""\n"第一行"\n"第二行 %(n)s"\nmsgstr "Line %(n)s"\n\n'
        'msgctxt "月份"\nmsgid "五月"\nmsgstr ""\n\n'
        '#~ msgid "旧的"\n#~ msgstr "Old"\n',
        encoding="utf-8",
    )
    entries = read_po(po)
    assert [e["msgid"] for e in entries] == ["", "第一行第二行 %(n)s", "五月"]
    assert entries[1]["flags"] == {"fuzzy", "python-format"}
    assert entries[1]["msgstr"] == ["Line %(n)s"]
    assert entries[2]["msgctxt"] == "月份" and entries[2]["msgstr"] == [""]


def test_source_scan_finds_python_and_template_strings():
    python = "from django.utils.translation import pgettext_lazy\n" + (
        'x = _("甲" "乙")\ny = pgettext_lazy("上下文", "丙")\nz = _(name)\n'
    )
    assert [m[:2] for m in _python_msgids(python, "x.py")] == [(None, "甲乙"), ("上下文", "丙")]
    template = (
        '{% load i18n %}<p>{% translate "首页" %}</p>'
        "{% blocktranslate with n=x %}共 {{ n }} 个,占 5%{% endblocktranslate %}"
    )
    assert [m[:2] for m in _template_msgids(template, "x.html")] == [
        (None, "首页"),
        (None, "共 %(n)s 个,占 5%%"),
    ]


# --- what a user sees ----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # LocaleMiddleware leaves the last request's language active in the thread: after an English
    # request, later tests in the same process would get English messages where they expect Chinese.
    yield
    translation.deactivate()


@pytest.fixture
def keeper(db):
    return UserFactory(role=Role.ADMIN, is_staff=True)


def _bad_id_number():
    first17 = "31011519900131003"
    right = id_check_char(first17)
    return first17 + ("0" if right != "0" else "1")


@pytest.mark.django_db
def test_admin_is_chinese_by_default_and_english_on_request(client, keeper, tree):
    client.force_login(keeper)
    url = reverse("admin:grids_grid_changelist")

    chinese = client.get(url).content.decode()
    assert "civicgrid 网格化管理" in chinese and "微网格" in chinese
    assert "Micro-grid" not in chinese

    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert '<html lang="en"' in english
    assert "civicgrid grid governance" in english
    assert "Micro-grid" in english and "Building group" in english and "Grid staff" in english
    # In the list itself only the data (grid and party organisation names) stays Chinese.
    main = english[english.index('<main id="content-start"') : english.index("</main>")]
    shown = re.sub(r"<[^>]+>", " ", main)
    data = {g.name for g in Grid.objects.all()} | {g.party_organisation for g in Grid.objects.all()}
    for value in sorted(data - {""}, key=len, reverse=True):
        shown = shown.replace(value, "")
    assert not CHINESE.search(shown), CHINESE.findall(shown)


@pytest.mark.django_db
def test_admin_resident_list_in_english_by_accept_language(client, keeper, tree):
    client.force_login(keeper)
    address = Address.objects.create(
        road="祁连山南路", lane="2891", number="12", building_group=tree["building_groups"][0]
    )
    Resident.objects.create(
        household=Household.objects.create(address=address),
        name="张三",
        gender="M",
        id_number="31011519900131003" + id_check_char("31011519900131003"),
    )
    url = reverse("admin:registry_resident_changelist")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Resident" in english and "Care tags" in english
    assert "关爱标签" not in english
    assert "Population and housing statistics" in english and "人口房屋统计" not in english
    assert "张三" in english  # data stays as entered
    assert "关爱标签" in client.get(url).content.decode()


@pytest.mark.django_db
def test_language_switcher_on_every_admin_page_sets_the_cookie(client, keeper):
    login_page = client.get(reverse("admin:login")).content.decode()
    assert 'id="language-switcher"' in login_page
    assert 'value="en"' in login_page and "English" in login_page and "简体中文" in login_page

    client.force_login(keeper)
    index = reverse("admin:index")
    assert 'action="/i18n/setlang/"' in client.get(index).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": index})
    assert response.status_code == 302 and response["Location"] == index
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "civicgrid grid governance" in client.get(index).content.decode()

    client.post(reverse("set_language"), {"language": "zh-hans", "next": index})
    assert "civicgrid 网格化管理" in client.get(index).content.decode()


@pytest.mark.django_db
def test_api_validation_errors_follow_the_language(keeper, tree):
    api = APIClient()
    api.force_authenticate(keeper)
    address = Address.objects.create(
        road="祁连山南路", lane="2891", number="12", building_group=tree["building_groups"][0]
    )
    household = Household.objects.create(address=address)
    data = {"household": household.pk, "name": "张三", "id_number": _bad_id_number()}

    chinese = api.post("/api/registry/residents/", data)
    assert chinese.status_code == 400
    assert "校验码错误" in chinese.json()["id_number"][0]

    english = api.post("/api/registry/residents/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    message = english.json()["id_number"][0]
    assert message.startswith("Wrong check character in the resident ID card number")
    assert not CHINESE.search(message)
    assert not Resident.objects.exists()

    api.cookies["django_language"] = "en"
    located = api.get("/api/grids/locate/", {"lon": "200", "lat": "31.1"})
    assert located.status_code == 400
    assert located.json()["lon"] == "longitude is out of range (must be between -180 and 180)"
    missing = api.post("/api/grids/locate/batch/", {"points": [[121.5, "北"]]}, format="json")
    assert missing.status_code == 400
    assert missing.json()["points"] == "Point 1: latitude must be a number"


# The newspaper's own print and WeChat layouts are Chinese whatever the reader's language.
CHINESE_PRINT = {
    "bulletin/templates/bulletin/wechat.html",
    "bulletin/templates/bulletin/_article.html",
}
_TEMPLATE_PARTS = re.compile(
    r"({%.*?%}|{{.*?}}|{#.*?#}|<script\b.*?</script>|<style\b.*?</style>)", re.S
)


def bare_full_width(text: str) -> list[str]:
    """The template's text, outside its tags, translated strings and scripts, that holds a
    full-width colon, parenthesis, comma, enumeration comma or semicolon."""
    found, in_block = [], False
    for i, part in enumerate(_TEMPLATE_PARTS.split(text)):
        if i % 2:
            if re.match(r"{%\s*blocktrans(late)?\b", part):
                in_block = True
            elif re.match(r"{%\s*endblocktrans(late)?\b", part):
                in_block = False
        elif not in_block and re.search("[：（），、；]", part):
            found.append(part.strip()[:40])
    return found


def test_bare_full_width_finds_text_outside_translations():
    text = '{% translate "（选填）" %}{{ a }}（{{ b }}）{% blocktranslate %}共（{{ n }}）件{% endblocktranslate %}'
    assert bare_full_width(text) == ["（", "）"]


def test_templates_translate_their_full_width_punctuation():
    """Written outside a translated string, '：', '（…）', '，', '、' and '；' stayed full-width on
    the English pages ('Utilisation：5%', 'registered 1050（active 790，Dual reporting 146）'):
    they go through {% translate "：" %} and its kin, which the English catalogue renders."""
    root = Path(settings.BASE_DIR) / "civicgrid"
    bare = {
        str(path.relative_to(root)): found
        for path in sorted(root.glob("*/templates/**/*.html"))
        if str(path.relative_to(root)) not in CHINESE_PRINT
        and (found := bare_full_width(path.read_text(encoding="utf-8")))
    }
    assert not bare, bare
    with translation.override("en"):
        english = [translation.gettext(c) for c in "：（），、；"]
    assert english == [": ", " (", ")", ", ", ", ", "; "]
