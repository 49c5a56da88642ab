"""Chinese text uses full-width punctuation: ,:;() next to a Chinese character is written
，：；（） — in the templates' text and translated strings, and in the gettext strings of the
Python sources. HTML attributes' syntax, scripts, styles, template variables and tags are not
text and are left out; a translated string inside an attribute (a title, a placeholder) is text.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
HALF = ",:;()"
# A half-width mark with a Chinese character (or full-width mark) right before or after it.
WRONG = re.compile(rf"(?<=[{CJK}])[{re.escape(HALF)}]|[{re.escape(HALF)}](?=[{CJK}])")
BLOCKS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
COMMENT = re.compile(r"\{#.*?#\}|<!--.*?-->|\{% comment %\}.*?\{% endcomment %\}", re.S)
TRANSLATE = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""", re.S)
BLOCKTRANS = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b[^%]*%\}(.*?)\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.S,
)
TAGS = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
HTML_TAG = re.compile(r"<[^>]*>", re.S)
PLACEHOLDER = "\u0001"
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy"}


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def template_texts(source: str):
    """(line, text) of every piece of Chinese-bearing text a template shows."""
    source = BLOCKS.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    source = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    for m in TRANSLATE.finditer(source):
        yield _line(source, m.start()), m.group(2)
    for m in BLOCKTRANS.finditer(source):
        yield _line(source, m.start()), TAGS.sub(PLACEHOLDER, m.group(1))
    # Text between the tags: template tags and variables stand in as a neutral mark.
    rest = BLOCKTRANS.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    rest = HTML_TAG.sub(lambda m: "\n" * m.group(0).count("\n") + PLACEHOLDER, rest)
    rest = TAGS.sub(lambda m: "\n" * m.group(0).count("\n") + PLACEHOLDER, rest)
    yield from enumerate(rest.split("\n"), start=1)


def gettext_strings(source: str):
    """(line, text) of every string literal handed to a gettext function."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT:
            continue
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield node.lineno, arg.value


def _findings(files, reader):
    found = []
    for path in files:
        for number, text in reader(path.read_text(encoding="utf-8")):
            for m in WRONG.finditer(text):
                snippet = text[max(m.start() - 8, 0) : m.end() + 8].replace(PLACEHOLDER, "…")
                found.append(f"{path.relative_to(ROOT)}:{number}: {snippet.strip()}")
    return found


def _templates():
    return sorted(
        p for p in ROOT.glob("civicgrid/**/templates/**/*") if p.suffix in (".html", ".txt")
    )


def _sources():
    """Every module's gettext strings, models' and choices' labels and help texts included
    (migrations copy them: they are not checked)."""
    return sorted(
        p
        for p in ROOT.glob("civicgrid/**/*.py")
        if "/tests/" not in str(p) and "/migrations/" not in str(p)
    )


@pytest.mark.parametrize(
    "text, wrong",
    [
        ("请检查地址,或从首页重新进入。", True),
        ("区间:上报按上报日计", True),
        ("(按类别默认部门)", True),
        ("请检查地址\uff0c或从首页重新进入。", False),
        ("\uff08按类别默认部门\uff09", False),
        ("Open311 (GeoReport v2), JSON", False),
        ("12:30", False),
    ],
)
def test_the_rule(text, wrong):
    assert bool(WRONG.search(text)) is wrong


def test_template_text_is_told_apart_from_markup():
    source = (
        '<a href="/x" class="a, b" title="{% translate \'点击地图选点,系统定位\' %}">'
        "{{ n }}:{{ m }}</a>\n<script>var a = {x: 1}; // 中文,注释</script>\n"
        "<p>{% blocktranslate %}共 {{ n }} 件:其中{% endblocktranslate %} 完成(已结案)</p>"
    )
    texts = [t for _n, t in template_texts(source)]
    assert any("点击地图选点,系统定位" in t for t in texts)
    assert not any("中文" in t for t in texts)
    assert len([t for t in texts if WRONG.search(t)]) == 3


def test_templates_use_full_width_punctuation():
    found = _findings(_templates(), template_texts)
    assert not found, f"{len(found)} half-width marks in Chinese text:\n" + "\n".join(found)


def test_gettext_strings_use_full_width_punctuation():
    found = _findings(_sources(), gettext_strings)
    assert not found, f"{len(found)} half-width marks in Chinese text:\n" + "\n".join(found)
