"""The editions: the PDF (made in the test, opened with pypdf: pages, extractable Chinese text,
the Noto CJK fonts embedded), kept in storage per revision; the WeChat article with inline
styles only."""

import io
import re

import pypdf
import pytest

from civicgrid.bulletin import render, services
from civicgrid.testing.cases import case_in_state

from .conftest import walk_to_published

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(users, garbage, compile_issue):
    for state in ("closed", "dispatched"):
        case_in_state(state, users, cat=garbage)
    return compile_issue()


def test_the_pdf_is_printable_and_kept_per_revision(issue, users, monkeypatch):
    stored = render.pdf_for(issue)
    with stored.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) >= 1
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4 portrait
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert "社区晨报" in text
    assert "本期8版第42期" in text and "下期出版：12月9日" in text
    assert "街道党工委、办事处联合出版" in text
    assert "城运中心本期立案2件" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    # Embedded (subset) Chinese fonts, the Simplified Chinese ones: no Japanese glyph fallback.
    assert any("Noto-Serif-CJK-SC" in f for f in fonts), fonts
    assert not any("CJK-JP" in f for f in fonts), fonts
    issue.refresh_from_db()
    assert issue.pdf_revision == issue.revision

    def no_rendering(_issue):
        raise AssertionError("rendered again")

    monkeypatch.setattr(render, "pdf_bytes", no_rendering)
    assert render.pdf_for(issue).name == stored.name
    monkeypatch.undo()
    article = issue.articles.get(topic="cases")
    services.do_edit_article(users["operator"], article, title="新标题", body="新的正文。")
    issue.refresh_from_db()
    again = render.pdf_for(issue)
    assert again.name != stored.name and not stored.storage.exists(stored.name)
    with again.open("rb") as handle:
        text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(handle.read())).pages)
    assert "新标题" in text


def test_the_wechat_article_uses_inline_styles_only(issue):
    html = render.wechat_html(issue)
    assert "<style" not in html and "class=" not in html and "<script" not in html
    assert "城运中心本期立案 2 件" in html and "本期 8 版 第 42 期" in html


def test_the_published_issue_is_walked(issue, users):
    assert walk_to_published(issue, users).state == "published"


def test_printing_leaves_the_photo_cleaner_working(issue, users):
    """WeasyPrint turns on Pillow's truncated-image loading when imported; after a PDF is made,
    a photo upload is still cleaned (and a truncated one still refused) in the same process."""
    from PIL import ImageFile

    from civicgrid.attachments.services import clean_image
    from civicgrid.testing.images import jpeg_bytes

    render.pdf_bytes(issue)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert clean_image(jpeg_bytes())
