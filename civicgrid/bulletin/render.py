"""The three editions of an issue: the web page (views), the print-ready PDF (A4, the masthead,
two columns, the Noto CJK fonts embedded by WeasyPrint) and the WeChat article (one HTML
fragment with inline styles only: the WeChat editor drops <style> and classes). The PDF is
rendered on request and kept in storage for the issue's revision (services.do_keep_pdf), so a
second download is a file read."""

import logging

from django.template.loader import render_to_string

from civicgrid.bulletin import services
from civicgrid.bulletin.choices import Section

SERIF = "'Noto Serif CJK SC', 'Noto Sans CJK SC', serif"
SANS = "'Noto Sans CJK SC', 'Noto Sans SC', sans-serif"


def sections(issue) -> list[dict]:
    """The issue's articles by section, in the sections' printed order (empty sections left
    out)."""
    articles = list(issue.articles.all())
    out = []
    for section in Section:
        rows = [a for a in articles if a.section == section.value]
        if rows:
            out.append({"key": section.value, "label": section.label, "articles": rows})
    return out


def context(issue) -> dict:
    return {"issue": issue, "sections": sections(issue), "serif": SERIF, "sans": SANS}


def print_html(issue, base_url=None) -> str:
    return render_to_string("bulletin/print.html", context(issue))


def pdf_bytes(issue) -> bytes:
    """The issue as a PDF. WeasyPrint is imported here, not at the module's top, so the app
    loads (manage.py check, the API) on a machine without pango."""
    from PIL import ImageFile
    from weasyprint import HTML

    # Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process; the
    # photo cleaner (attachments) refuses truncated uploads and checks that the flag is off, and
    # the bulletin's own charts are SVG: turn it back off.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    # WeasyPrint reports each layout step at INFO: not for the server's log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return HTML(string=print_html(issue), base_url="/").write_pdf()


def pdf_for(issue):
    """The issue's PDF file (a FieldFile), rendered and kept when the stored one is missing or
    of an older revision."""
    if (
        issue.pdf
        and issue.pdf_revision == issue.revision
        and issue.pdf.storage.exists(issue.pdf.name)
    ):
        return issue.pdf
    return services.do_keep_pdf(issue, pdf_bytes(issue)).pdf


def wechat_html(issue) -> str:
    """The WeChat-ready article: inline styles only."""
    return render_to_string("bulletin/wechat.html", context(issue))
