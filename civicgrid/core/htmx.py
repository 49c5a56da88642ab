"""htmx requests whose session has ended.

A part of a page that htmx loads or posts (the console's queue filter, the flood board polled
every 30 s, a patrol item posted from a phone) is answered, once the session has ended, with
Django's redirect to the login page. The browser follows it inside the request, and htmx put the
whole login page into the part: a login form in the middle of the board, left open for hours.
Here such a redirect becomes `HX-Redirect`, which htmx follows as a page load, and the login
page's `next` is the page the user was on (`HX-Current-URL`), not the part's own URL.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def page_on_this_site(request, url: str) -> str | None:
    """The path and query of `url` (the page a request came from: htmx's HX-Current-URL, a
    Referer) when it is a page of this site, else None: where a login may send the user back."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def login_redirect_for_htmx(request, response):
    location = response.get("Location", "")
    target = urlsplit(location)
    if target.path != resolve_url(settings.LOGIN_URL):
        return response
    query = dict(parse_qsl(target.query))
    page = page_on_this_site(request, request.headers.get("HX-Current-URL", ""))
    if page is not None:
        query["next"] = page
    answer = HttpResponse(status=200)
    answer["HX-Redirect"] = target.path + (f"?{urlencode(query)}" if query else "")
    return answer


class HtmxSessionEndedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") == "true" and response.status_code in (301, 302):
            return login_redirect_for_htmx(request, response)
        return response
