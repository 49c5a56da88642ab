"""Every change of the satisfaction survey and its results.

`do_answer` records one resident's answer (all items scored 1–5, the comment through the
project's text rules) in one transaction: one answer per survey per account, or per phone for a
visitor; only while the survey is open; the 居村 is the survey's, or, for a street-wide survey,
one the resident names. Bad input raises ValidationError (field → Chinese message) and nothing
is written. `results` gives the averages and counts per 居村 in a fixed number of queries.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.core.text import text_problem
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.survey.models import MAX_SCORE, MIN_SCORE, Survey, SurveyAnswer, SurveyScore

MAX_COMMENT = 500
MOBILE = re.compile(r"^1[3-9]\d{9}$")
DEFAULT_ITEMS = ("获得感", "幸福感", "满意度")


def open_surveys(community=None, *, today=None):
    """Surveys open today: active, within their period, of `community` or street-wide (all open
    ones when `community` is None)."""
    today = today or timezone.localdate()
    surveys = Survey.objects.filter(is_active=True, start_date__lte=today, end_date__gte=today)
    if community is not None:
        surveys = surveys.filter(Q(community=community) | Q(community__isnull=True))
    return surveys.select_related("community").prefetch_related("items")


def communities():
    """The 居村 a resident may answer for (a street-wide survey asks which one), by code."""
    return Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code").only("pk", "name")


def open_survey(pk, community=None, *, today=None):
    """One open survey by id (of `community` or street-wide), or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return open_surveys(community, today=today).filter(pk=pk).first()


def has_answered(survey, *, user) -> bool:
    """Whether this account has answered this survey already."""
    return SurveyAnswer.objects.filter(survey=survey, user=user).exists()


def latest_survey(today=None):
    """The survey that started last (on or before today), open or finished, or None."""
    today = today or timezone.localdate()
    return Survey.objects.filter(start_date__lte=today).order_by("-start_date", "-id").first()


def do_create_survey(*, title, start_date, end_date, community=None, items=DEFAULT_ITEMS):
    """A survey with its items (获得感, 幸福感, 满意度 by default)."""
    errors = {}
    if community is not None and community.level != GridLevel.COMMUNITY:
        errors["community"] = _("测评只能面向居村或全街道")
    if end_date < start_date:
        errors["end_date"] = _("结束日期不能早于开始日期")
    title = (title or "").strip()
    if not title or text_problem(title) is not None:
        errors["title"] = _("请填写测评名称")
    names = [str(n).strip() for n in items if str(n).strip()]
    if not names or len(set(names)) != len(names):
        errors["items"] = _("测评项不能为空或重复")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        survey = Survey(title=title, community=community, start_date=start_date, end_date=end_date)
        survey.full_clean()
        survey.save()
        for order, name in enumerate(names):
            survey.items.create(name=name, order=order)
    return survey


def _clean_scores(survey, scores) -> dict:
    items = {item.pk: item for item in survey.items.all()}
    cleaned, missing = {}, []
    for item_id, item in items.items():
        raw = scores.get(item_id, scores.get(str(item_id)))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or not MIN_SCORE <= value <= MAX_SCORE:
            missing.append(item.name)
        else:
            cleaned[item] = value
    if missing:
        raise ValidationError({"scores": _("请为每一项打 1–5 分：%s") % "、".join(missing)})
    return cleaned


def do_answer(survey, *, scores, comment="", user=None, phone="", community=None, now=None):
    """Record one answer. `scores` maps item id → 1..5; `user` a resident account or None (a
    visitor, who gives a mobile phone); `community` only for a street-wide survey."""
    now = now or timezone.now()
    errors = {}
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("意见建议不能超过%d个字") % MAX_COMMENT
    elif (problem := text_problem(comment)) is not None:
        errors["comment"] = problem.messages[0]
    if user is not None and user.effective_role != Role.RESIDENT:
        errors["user"] = _("满意度测评仅供居民填写")
    phone = (phone or "").strip() if user is None else ""
    if user is None and not MOBILE.match(phone):
        errors["phone"] = _("请填写11位手机号")
    if survey.community_id is not None:
        community = survey.community
    elif community is None or community.level != GridLevel.COMMUNITY:
        errors["community"] = _("请选择所在居村")
    today = timezone.localdate(now)
    if not (survey.is_active and survey.start_date <= today <= survey.end_date):
        errors["survey"] = _("该测评不在开放期内")
    try:
        cleaned = _clean_scores(survey, scores or {})
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    taken = SurveyAnswer.objects.filter(survey=survey)
    taken = taken.filter(user=user) if user is not None else taken.filter(phone=phone)
    if taken.exists():
        raise ValidationError({"survey": _("您已参加过本次测评")})
    try:
        with transaction.atomic():
            answer = SurveyAnswer.objects.create(
                survey=survey,
                community=community,
                user=user,
                phone=phone,
                comment=comment,
                answered_at=now,
            )
            SurveyScore.objects.bulk_create(
                SurveyScore(answer=answer, item=item, score=value)
                for item, value in cleaned.items()
            )
    except IntegrityError:  # the same person at the same moment
        raise ValidationError({"survey": _("您已参加过本次测评")}) from None
    return answer


def results(survey, communities=None) -> dict:
    """Averages per item and answer counts per 居村 (and for the whole survey). Three queries."""
    items = list(survey.items.all())
    scores = SurveyScore.objects.filter(answer__survey=survey)
    answers = SurveyAnswer.objects.filter(survey=survey)
    if communities is not None:
        scores = scores.filter(answer__community__in=communities)
        answers = answers.filter(community__in=communities)
    counts = dict(
        answers.values_list("community_id").annotate(n=Count("pk")).values_list("community_id", "n")
    )
    averages = {}
    for community_id, item_id, avg in scores.values_list(
        "answer__community_id", "item_id"
    ).annotate(a=Avg("score")):
        averages[(community_id, item_id)] = avg
    names = dict(Grid.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    rows = []
    for community_id in sorted(counts, key=lambda pk: names.get(pk, "")):
        rows.append(
            {
                "community_id": community_id,
                "community": names.get(community_id, ""),
                "answers": counts[community_id],
                "averages": {
                    item.name: _round(averages.get((community_id, item.pk))) for item in items
                },
            }
        )
    total = sum(counts.values())
    overall = {}
    for item in items:
        weighted = sum(
            averages[(c, item.pk)] * counts[c] for c in counts if (c, item.pk) in averages
        )
        overall[item.name] = _round(weighted / total) if total else None
    return {
        "survey": survey,
        "items": [i.name for i in items],
        "answers": total,
        "averages": overall,
        "communities": rows,
    }


def _round(value):
    return None if value is None else round(value, 2)
