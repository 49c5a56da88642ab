"""What the residents' pages do beyond showing things: file a report with its photo, find a
case by number and phone, build the public timeline, and slow down abuse.

State changes go through cases.services (intake with its photo, rating); this module only puts
them together the way a resident's page needs them.
"""

import hmac
import re
import unicodedata

from django.conf import settings
from django.core.cache import cache

from civicgrid.accounts.choices import Role
from civicgrid.cases import public as public_view
from civicgrid.cases import services as case_services
from civicgrid.cases.choices import OPEN_STATUSES, CaseAction, CaseSource, CaseStatus
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.core import ratelimit
from civicgrid.core.masking import normalize_phone

# --- abuse: a simple fixed-window limit per visitor -----------------------------------------------

# (attempts, window in seconds): settings.CIVICGRID_PUBLIC_TRACK_LIMIT / CIVICGRID_PUBLIC_RATE_LIMIT.
# Reports are not here: every reporting channel shares one limit (civicgrid/core/ratelimit.py,
# settings.CIVICGRID_INTAKE_LIMIT), so a resident cannot file past it through the API instead.


def client_key(request) -> str:
    """Who is asking: the account when signed in, else the address the request came from (the
    session would be free to drop, so an anonymous visitor is counted by address)."""
    return ratelimit.person_key(request)


def hit_limit(request, action: str) -> bool:
    """Count one attempt of `action`; True when the visitor is over the limit (refuse it).

    A fixed window in the shared cache: crude, but enough to stop a script from filing a case a
    second or trying every phone number behind a case number; real abuse protection is the
    proxy's job. "report" is the intake limit all reporting channels share.
    """
    if action == "report":
        return ratelimit.hit_intake_limit(request).refused
    limit, window = getattr(settings, f"CIVICGRID_PUBLIC_{action.upper()}_LIMIT")
    count, _retry_after = ratelimit.count_in_window(
        f"civicgrid:public:{action}:{client_key(request)}", window
    )
    return count > limit


# --- reporting -------------------------------------------------------------------------------------


def report_user(user):
    """The account a report is filed under: a signed-in resident's own, else nobody (a visitor)."""
    if user is not None and user.is_authenticated and user.effective_role == Role.RESIDENT:
        return user
    return None


def submit_report(*, user, photo=None, **fields) -> Case:
    """Intake plus the photo (处置前), all or nothing: the photo is part of the report's step
    (cases.services.photos), so a refused photo undoes the case and leaves no file.

    A signed-in resident reports and attaches as themselves; a visitor without an account as
    the trusted caller (`user=None`): reporting the case is the permission for its photo, and
    the photo has no uploader. Raises the services' ValidationError / PermissionDenied
    unchanged (the view puts them next to the fields; the photo's errors are on "photos").
    """
    return case_services.do_report(
        user=report_user(user),
        source=CaseSource.RESIDENT,
        photos=[photo] if photo is not None else (),
        **fields,
    ).case


# --- finding a case --------------------------------------------------------------------------------


def find_case(number: str, phone: str) -> Case | None:
    """The case with this number whose reporter left this phone; None otherwise — the same None
    whether the number does not exist or the phone is wrong, so nothing leaks about numbers."""
    # As read off a phone or a message: full-width digits, spaces ("2026 1123 00017").
    number = re.sub(r"\s+", "", unicodedata.normalize("NFKC", number or ""))
    wanted = normalize_phone(phone)
    case = Case.objects.filter(number=number).only("pk", "public_token", "reporter_phone").first()
    stored = normalize_phone(case.reporter_phone) if case is not None else ""
    # Compare even when there is no case, in constant time: the answer takes as long either way.
    matches = hmac.compare_digest(stored or "-", wanted or "+")
    return case if (case is not None and stored and matches) else None


# --- the public timeline ---------------------------------------------------------------------------

# The wording and the rules live in cases.public, shared with the case API's public view.
PUBLIC_STEPS = public_view.PUBLIC_STEPS


def _staff_names(case: Case) -> list[str]:
    """The names of the users who acted on `case` (to mask in texts shown to the public)."""
    from django.contrib.auth import get_user_model

    actors = get_user_model().objects.filter(
        pk__in=CaseEvent.objects.filter(case=case, actor__isnull=False).values("actor")
    )
    return public_view.people_names(actors.only("username", "first_name", "last_name"))


def public_timeline(case: Case) -> list[dict]:
    """The steps of `case` a resident may see: when, what (in public words), for a rating the
    rating given, and the words written for the reporter (the reason of 不予立案 and what to do
    next, the new deadline of an extension), staff names masked. Two queries."""
    rows = list(
        CaseEvent.objects.filter(case=case, action__in=list(PUBLIC_STEPS))
        .order_by("at", "id")
        .values_list("at", "action", "data", "note")
    )
    names = [case.reporter_name, *_staff_names(case)] if rows else []
    steps = (public_view.public_step(*row, names=names) for row in rows)
    return [step for step in steps if step is not None]


def public_handling_result(case: Case) -> str:
    """The handling result as the public page shows it: personal data masked (core.scrub),
    the names of the staff who acted on the case and the reporter's among them. One query."""
    from django.contrib.auth import get_user_model

    actors = get_user_model().objects.filter(
        pk__in=CaseEvent.objects.filter(case=case, actor__isnull=False).values("actor")
    )
    return public_view.public_result(case, actors.only("username", "first_name", "last_name"))


def public_status(case: Case) -> str:
    """The case's state in the reporter's words (cases.public)."""
    return public_view.public_status(case)


# --- the reporter's own steps and photos -----------------------------------------------------------


def may_act_as_reporter(user) -> bool:
    """Whether the viewer of a case's link page may add to or withdraw the report there: a
    visitor holding the link or a resident; staff have their own pages and steps."""
    return not user.is_authenticated or user.effective_role == Role.RESIDENT


def may_add_info(case: Case) -> bool:
    return case.status in OPEN_STATUSES


def may_withdraw(case: Case) -> bool:
    return case.status == CaseStatus.REPORTED


# Steps whose photos are the reporter's own (taken with the report, or added later).
REPORTER_PHOTO_STEPS = (CaseAction.REPORT, CaseAction.ADD_INFO)


def public_photos(case: Case):
    """The photos a case's link page shows: the reporter's own (with the report or added
    later) and, once the case is closed, the handler's after-photos (处置后). Never the photos
    of other steps (核查 photos of the site, staff's other evidence)."""
    from django.db.models import Q

    from civicgrid.attachments.choices import AttachmentKind
    from civicgrid.attachments.models import Attachment

    own = Q(event__action__in=REPORTER_PHOTO_STEPS, case__source=CaseSource.RESIDENT)
    shown = own
    if case.status == CaseStatus.CLOSED:
        shown |= Q(kind=AttachmentKind.AFTER)
    return Attachment.objects.filter(case=case).filter(shown).order_by("uploaded_at", "id")


def photo_gallery(case: Case) -> list:
    """public_photos with the URLs of the link page (web/includes/photos.html)."""
    from django.urls import reverse

    photos = list(public_photos(case).select_related(None))
    for photo in photos:
        photo.full_url = reverse("public:photo", args=[case.public_token, photo.pk])
        photo.thumb_url = reverse("public:photo_thumb", args=[case.public_token, photo.pk])
    return photos


# --- the map ----------------------------------------------------------------------------------------

# Above this many communities (a city-scale tree) the report map draws street outlines instead.
MAX_OUTLINES = 80
# Outlines are for orientation only: simplified to about 5 m, coordinates rounded to about 1 m.
SIMPLIFY_DEGREES = 0.00005


def map_outlines() -> dict:
    """A small FeatureCollection of where the grids are, for the report page's map: the
    communities (居村) — or the streets when there are too many — simplified, with names.

    Cached per grid-tree revision (one small query a page); the locator's revision is the tree's.
    """
    from civicgrid.grids.choices import GridLevel
    from civicgrid.grids.locator import _current_revision
    from civicgrid.grids.models import Grid

    revision = _current_revision()
    stamp = revision[1].timestamp() if revision[1] is not None else 0
    key = f"civicgrid:public:outlines:{revision[0]}:{stamp}"
    collection = cache.get(key)
    if collection is not None:
        return collection
    level = GridLevel.COMMUNITY
    if Grid.objects.filter(level=level).count() > MAX_OUTLINES:
        level = GridLevel.STREET
    features = []
    rows = Grid.objects.filter(level=level, geometry__isnull=False).values_list(
        "code", "name", "geometry"
    )
    for code, name, geometry in rows:
        simple = _simplified(geometry)
        if simple is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": simple,
                    "properties": {"code": code, "name": name},
                }
            )
    collection = {"type": "FeatureCollection", "features": features}
    if revision[1] is not None:  # no revision row yet: nothing to key a cache entry on
        cache.set(key, collection, 3600)
    return collection


def _simplified(geometry) -> dict | None:
    from shapely.geometry import mapping, shape

    try:
        shp = shape(geometry).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if shp.is_empty:
        return None

    def rounded(coords):
        if isinstance(coords[0], (int, float)):
            return [round(coords[0], 5), round(coords[1], 5)]
        return [rounded(c) for c in coords]

    out = mapping(shp)
    return {"type": out["type"], "coordinates": rounded(out["coordinates"])}
