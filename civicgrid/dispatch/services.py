"""智能派单: suggestions, the desk's decision, auto-dispatch, the 权责清单, rules and training.

State changes are `do_*` (atomic, rows locked, a DispatchLog row written); `user=None` is a
trusted caller (the background task, a command, the demo). The case itself changes only through
cases.services: a one-click acceptance is cases' own do_file + do_dispatch, and so is an
automatic dispatch (by the system: user None, the log and the suggestion say so).

When things happen:
- a report is committed → `cases.signals.case_changed` (before = NEW) → after the commit the
  task `suggest_task` runs `do_suggest` (the intake stays fast: no model in its transaction);
- a report is filed, by any surface → after the commit `record_filing` sets the suggestion's
  outcome (accepted if the filed category is the suggested one, corrected otherwise).
"""

import datetime
import logging
import threading
import time
import uuid

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import require_role
from civicgrid.accounts.models import Department
from civicgrid.accounts.policy import DISPATCH_ROLES, DISPATCH_SETUP_ROLES
from civicgrid.cases import services as case_services
from civicgrid.cases.choices import CaseAction, CaseStatus
from civicgrid.cases.models import Case, CaseEvent, Category
from civicgrid.dispatch import classifier
from civicgrid.dispatch.choices import LogAction, Outcome, Trigger
from civicgrid.dispatch.models import (
    AutoDispatchRule,
    DispatchLog,
    Responsibility,
    Suggestion,
    TrainedModel,
)
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid

logger = logging.getLogger("civicgrid.dispatch")


def _log(action, *, user=None, case=None, data=None, at=None) -> DispatchLog:
    return DispatchLog.objects.create(
        at=at or timezone.now(), user=user, action=action, case=case, data=data or {}
    )


def _category(value, field="category") -> Category:
    if isinstance(value, Category):
        return value
    try:
        return Category.objects.get(pk=int(value), parent__isnull=False)
    except (TypeError, ValueError, Category.DoesNotExist):
        raise ValidationError({field: _("类别“%(v)s”不存在") % {"v": value}}) from None


# --- 权责清单: category → department ----------------------------------------------------------


def area_of(micro_grid_id) -> int | None:
    """The 片区 above a micro-grid (micro-grid → 居村 → 片区), or None."""
    if micro_grid_id is None:
        return None
    row = (
        Grid.objects.filter(pk=micro_grid_id)
        .values_list("parent__parent_id", "parent__parent__level")
        .first()
    )
    return row[0] if row and row[1] == GridLevel.AREA else None


def route(category, micro_grid_id=None) -> Department | None:
    """The department responsible for `category` where the case is: the 片区's row of the 权责清单,
    else the street's row, else the category's default department (None if none)."""
    category_id = category.pk if isinstance(category, Category) else int(category)
    area_id = area_of(micro_grid_id)
    rows = {
        r.area_id: r.department
        for r in Responsibility.objects.filter(category_id=category_id)
        .filter(Q(area__isnull=True) | Q(area_id=area_id))
        .select_related("department")
    }
    department = rows.get(area_id) if area_id is not None else None
    department = department or rows.get(None)
    if department is None:
        department = Department.objects.filter(
            default_categories__pk=category_id, is_active=True
        ).first()
    return department if department is not None and department.is_active else None


def do_set_responsibility(user, *, category, department, area=None) -> Responsibility:
    """Name the department of a category, street-wide (`area` None) or in one 片区."""
    require_role(user, DISPATCH_SETUP_ROLES)
    category = _category(category)
    try:
        department = (
            department
            if isinstance(department, Department)
            else Department.objects.get(pk=int(department))
        )
    except (TypeError, ValueError, Department.DoesNotExist):
        raise ValidationError({"department": _("部门“%(v)s”不存在") % {"v": department}}) from None
    if not department.is_active:
        raise ValidationError({"department": _("部门“%(d)s”已停用") % {"d": department.name}})
    if area not in (None, ""):
        try:
            area = area if isinstance(area, Grid) else Grid.objects.get(pk=int(area))
        except (TypeError, ValueError, Grid.DoesNotExist):
            raise ValidationError({"area": _("片区“%(v)s”不存在") % {"v": area}}) from None
        if area.level != GridLevel.AREA:
            raise ValidationError({"area": _("“%(g)s”不是片区") % {"g": area.name}})
    else:
        area = None
    with transaction.atomic():
        row = (
            Responsibility.objects.select_for_update(of=("self",))
            .filter(category=category, area=area)
            .first()
        )
        before = row.department_id if row else None
        if row is None:
            row = Responsibility(category=category, area=area)
        row.department = department
        row.save()
        _log(
            LogAction.SET_RESPONSIBILITY,
            user=user,
            data={
                "category": category.pk,
                "area": area.pk if area else None,
                "from": before,
                "to": department.pk,
            },
        )
    return row


def do_remove_responsibility(user, row: Responsibility) -> None:
    require_role(user, DISPATCH_SETUP_ROLES)
    with transaction.atomic():
        row = Responsibility.objects.select_for_update(of=("self",)).get(pk=row.pk)
        _log(
            LogAction.REMOVE_RESPONSIBILITY,
            user=user,
            data={"category": row.category_id, "area": row.area_id, "was": row.department_id},
        )
        row.delete()


# --- auto-dispatch rules ------------------------------------------------------------------------


def default_threshold() -> float:
    return float(settings.CIVICGRID_DISPATCH_AUTO_THRESHOLD)


def do_set_rule(user, *, category, enabled, threshold=None) -> AutoDispatchRule:
    """Turn auto-dispatch of a category on or off, at a confidence threshold (0–1)."""
    require_role(user, DISPATCH_SETUP_ROLES)
    category = _category(category)
    if threshold in (None, ""):
        threshold = default_threshold()
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise ValidationError({"threshold": _("置信度阈值必须是数字")}) from None
    if not (0.0 <= threshold <= 1.0):  # also rejects NaN
        raise ValidationError({"threshold": _("置信度阈值应在0到1之间")})
    with transaction.atomic():
        rule = (
            AutoDispatchRule.objects.select_for_update(of=("self",))
            .filter(category=category)
            .first()
        )
        before = {"enabled": rule.enabled, "threshold": rule.threshold} if rule else None
        rule = rule or AutoDispatchRule(category=category)
        rule.enabled = bool(enabled)
        rule.threshold = threshold
        rule.save()
        _log(
            LogAction.SET_RULE,
            user=user,
            data={
                "category": category.pk,
                "from": before,
                "to": {"enabled": rule.enabled, "threshold": threshold},
            },
        )
    return rule


# --- the active model ---------------------------------------------------------------------------

_loaded: dict = {}
_loaded_lock = threading.Lock()

# Whether a model is active, asked after every report's commit (receivers): answered from this
# process's memory while the shared cache's revision is the one the answer was read at.
# Activation (an .update(), no signal) bumps it explicitly at its commit, a row's save or delete
# through the signals dispatch.apps connects; this process forgets its answer at once, others at the
# commit. A revision missing from the cache (evicted, flushed) is re-made and the row re-read.
ACTIVE_REVISION_KEY = "dispatch:active-model-revision"
_active_seen: tuple = (None, False)  # (revision, answer), replaced whole: threads read one pair


def has_active_model() -> bool:
    """Whether a trained model is active (one shared-cache read while nothing changed)."""
    from django.core.cache import cache

    global _active_seen
    revision = cache.get(ACTIVE_REVISION_KEY)
    seen_revision, seen_active = _active_seen
    if revision is not None and revision == seen_revision:
        return seen_active
    if revision is None:
        revision = cache.get_or_set(ACTIVE_REVISION_KEY, uuid.uuid4().hex, None)
    # Read after the revision: a change committed in between bumps it again, and the next call
    # re-reads: an answer is never older than the revision it is kept under.
    active = TrainedModel.objects.filter(is_active=True).exists()
    _active_seen = (revision, active)
    return active


def forget_active_model(**kwargs) -> None:
    """This process's answer now, every process's at the commit (also a signal receiver)."""
    from django.core.cache import cache

    global _active_seen
    _active_seen = (None, False)
    transaction.on_commit(
        lambda: cache.set(ACTIVE_REVISION_KEY, uuid.uuid4().hex, None),
        using=kwargs.get("using"),
    )


def active_model() -> tuple[TrainedModel, classifier.DispatchModel] | None:
    """The active model row (without its blob) and its fitted model, loaded once per process
    (a row's blob never changes: a retraining is a new row)."""
    row = TrainedModel.objects.filter(is_active=True).defer("blob").first()
    if row is None:
        return None
    with _loaded_lock:
        fitted = _loaded.get(row.pk)
        if fitted is None:
            blob = TrainedModel.objects.values_list("blob", flat=True).get(pk=row.pk)
            fitted = classifier.DispatchModel.loads(blob)
            _loaded.clear()
            _loaded[row.pk] = fitted
    return row, fitted


def warm() -> bool:
    """The active model and jieba's dictionary loaded into this process (a task worker's start:
    a report's first suggestion in a fresh process takes most of a second, the next ones a few
    milliseconds). Returns whether a model is active."""
    loaded = active_model()
    if loaded is None:
        return False
    classifier.words("")  # reads jieba's dictionary
    return True


def title_and_text(description: str) -> tuple[str, str]:
    """A case's description read as a title and a text: a short first line followed by more is
    a title (the message boards' and the demo's form), otherwise all of it is the text."""
    description = description or ""
    first, sep, rest = description.partition("\n")
    if sep and rest.strip() and len(first.strip()) <= 40:
        return first.strip(), rest.strip()
    return "", description


def predict(description: str, micro_grid_id=None) -> dict | None:
    """What the active model says of a text: category, confidence, the top three, the reason
    and the routed department; None without an active model. Writes nothing."""
    loaded = active_model()
    if loaded is None:
        return None
    row, fitted = loaded
    title, text = title_and_text(description)
    result = fitted.predict(title, text)
    ids = [int(label) for label, _p in result.top]
    names = dict(Category.objects.filter(pk__in=ids, is_active=True).values_list("pk", "name"))
    top = [
        {"category": int(label), "name": names[int(label)], "p": round(p, 4)}
        for label, p in result.top
        if int(label) in names
    ]
    if not top:
        return None
    best = top[0]
    department = route(best["category"], micro_grid_id)
    return {
        "model": row,
        "category": best["category"],
        "confidence": best["p"],
        "alternatives": top,
        "reasons": result.reasons,
        "department": department,
    }


# --- suggestions, decisions, auto-dispatch --------------------------------------------------------


def do_suggest(case_id: int, *, now=None) -> Suggestion | None:
    """The suggestion of a just-reported case (once), then auto-dispatch if its category's rule
    says so and the confidence reaches the threshold. None without an active model, for a case
    gone, or one already past 待受理 (the desk was quicker)."""
    now = now or timezone.now()
    case = (
        Case.objects.filter(pk=case_id)
        .only("pk", "status", "description", "micro_grid_id", "category_id")
        .first()
    )
    if case is None or case.status != CaseStatus.REPORTED:
        return None
    said = predict(case.description, case.micro_grid_id)
    if said is None:
        return None
    try:
        with transaction.atomic():
            suggestion = Suggestion.objects.create(
                case=case,
                model=said["model"],
                created_at=now,
                category_id=said["category"],
                confidence=said["confidence"],
                alternatives=said["alternatives"],
                reasons=said["reasons"],
                department=said["department"],
            )
            _log(
                LogAction.SUGGEST,
                case=case,
                at=now,
                data={
                    "category": said["category"],
                    "confidence": said["confidence"],
                    "model": said["model"].pk,
                },
            )
    except IntegrityError:
        # A repeated task: the first one's suggestion stands.
        return Suggestion.objects.filter(case_id=case_id).first()
    _auto_dispatch(suggestion, now)
    return suggestion


def _auto_dispatch(suggestion: Suggestion, now) -> bool:
    rule = AutoDispatchRule.objects.filter(category_id=suggestion.category_id).first()
    if rule is None or not rule.enabled or suggestion.confidence < rule.threshold:
        return False
    case = suggestion.case
    if suggestion.department is None:
        _log(
            LogAction.AUTO_SKIPPED,
            case=case,
            at=now,
            data={"reason": "no_department", "category": suggestion.category_id},
        )
        return False
    try:
        with transaction.atomic():
            locked = Suggestion.objects.select_for_update(of=("self",)).get(pk=suggestion.pk)
            if locked.outcome != Outcome.PENDING:
                return False
            note = _("智能派单自动立案派遣（置信度%(p)s）") % {"p": f"{suggestion.confidence:.0%}"}
            done = case_services.do_file(
                case, None, category=suggestion.category_id, note=note, now=now
            )
            case_services.do_dispatch(
                done.case, None, department=suggestion.department, note=note, now=now
            )
            locked.outcome = Outcome.AUTO
            locked.final_category_id = suggestion.category_id
            locked.decided_at = now
            locked.save(update_fields=["outcome", "final_category", "decided_at"])
            _log(
                LogAction.AUTO_DISPATCH,
                case=case,
                at=now,
                data={
                    "category": suggestion.category_id,
                    "department": suggestion.department_id,
                    "confidence": suggestion.confidence,
                    "threshold": rule.threshold,
                },
            )
    except (ValidationError, PermissionDenied, case_services.IllegalTransition) as exc:
        # The case moved on or cannot be dispatched this way: the desk keeps it.
        _log(
            LogAction.AUTO_SKIPPED,
            case=case,
            at=now,
            data={"reason": "refused", "detail": str(exc)[:200]},
        )
        return False
    suggestion.refresh_from_db()
    return True


def do_accept(case, user, *, category=None, department=None, note: str = "", now=None):
    """The desk's one click: file the case with the suggested category (or the one it corrects
    to) and dispatch it to the 权责清单's department (or the one it names). Returns the
    cases.services Done of the dispatch. The outcome is recorded in the same transaction."""
    require_role(user, DISPATCH_ROLES)
    now = now or timezone.now()
    with transaction.atomic():
        suggestion = (
            Suggestion.objects.select_for_update(of=("self",)).filter(case_id=case.pk).first()
        )
        if suggestion is None:
            raise ValidationError({"category": _("该案件没有派单建议")})
        if suggestion.outcome != Outcome.PENDING:
            raise ValidationError({"category": _("该建议已处理")})
        chosen = _category(category) if category not in (None, "") else suggestion.category
        if department in (None, ""):
            department = (
                suggestion.department
                if chosen.pk == suggestion.category_id
                else route(chosen, case.micro_grid_id)
            )
        done = case_services.do_file(case, user, category=chosen.pk, note=note, now=now)
        done = case_services.do_dispatch(done.case, user, department=department, now=now)
        _decide(suggestion, chosen.pk, user, now)
    return done


def _decide(suggestion: Suggestion, final_category_id: int, user, now) -> None:
    right = final_category_id == suggestion.category_id
    suggestion.outcome = Outcome.ACCEPTED if right else Outcome.CORRECTED
    suggestion.final_category_id = final_category_id
    suggestion.is_correct = right
    suggestion.decided_by = user
    suggestion.decided_at = now
    suggestion.save(
        update_fields=["outcome", "final_category", "is_correct", "decided_by", "decided_at"]
    )
    _log(
        LogAction.ACCEPT if right else LogAction.CORRECT,
        user=user,
        case=suggestion.case,
        at=now,
        data={"suggested": suggestion.category_id, "final": final_category_id},
    )


def record_filing(case_id: int) -> Suggestion | None:
    """After a case was filed on any surface (the console's form, the API): the pending
    suggestion's outcome from the category it was filed with, by whoever filed it."""
    with transaction.atomic():
        suggestion = (
            Suggestion.objects.select_for_update(of=("self",))
            .filter(case_id=case_id, outcome=Outcome.PENDING)
            .select_related("case")
            .first()
        )
        if suggestion is None:
            return None
        event = (
            CaseEvent.objects.filter(case_id=case_id, action=CaseAction.FILE)
            .order_by("-at", "-pk")
            .select_related("actor")
            .first()
        )
        if event is None:
            return None
        _decide(suggestion, suggestion.case.category_id, event.actor, event.at)
    return suggestion


# --- training -----------------------------------------------------------------------------------


def training_data(since=None):
    """The street's closed cases: (titles, texts, labels, first, last) with each case's final
    category (after any correction) as its label."""
    rows = (
        Case.objects.filter(status=CaseStatus.CLOSED, category__parent__isnull=False)
        .order_by("reported_at", "pk")
        .values_list("description", "category_id", "reported_at")
    )
    if since is not None:
        rows = rows.filter(reported_at__gte=since)
    titles, texts, labels, times = [], [], [], []
    for description, category_id, reported_at in rows.iterator(chunk_size=2000):
        title, text = title_and_text(description)
        titles.append(title)
        texts.append(text)
        labels.append(str(category_id))
        times.append(reported_at)
    return titles, texts, labels, (times[0] if times else None), (times[-1] if times else None)


def _usable(labels) -> list[int]:
    """Indexes of the samples whose label has at least MIN_PER_CLASS samples (a category seen
    once or twice cannot be learnt; its cases stay out of the model)."""
    least = max(3, int(settings.CIVICGRID_DISPATCH_MIN_PER_CATEGORY))
    values, counts = np.unique(np.asarray(labels), return_counts=True)
    keep = set(values[counts >= least])
    return [i for i, label in enumerate(labels) if label in keep]


def do_train(
    user=None, *, trigger=Trigger.COMMAND, activate: bool = True, since=None, data=None, now=None
) -> TrainedModel:
    """Train a model on the street's closed cases (or `data` = (titles, texts, labels)), measure
    it on a held-out fifth, fit it on all the data, store it with its metrics, library versions
    and what it saw; activate it if asked (the default: the newest model runs)."""
    require_role(user, DISPATCH_SETUP_ROLES)
    from sklearn.model_selection import train_test_split

    started = time.perf_counter()
    if data is None:
        titles, texts, labels, first, last = training_data(since)
    else:
        titles, texts, labels = (list(x) for x in data)
        labels = [str(label) for label in labels]
        first = last = None
    keep = _usable(labels)
    titles = [titles[i] for i in keep]
    texts = [texts[i] for i in keep]
    labels = [labels[i] for i in keep]
    classes = sorted(set(labels))
    if len(labels) < int(settings.CIVICGRID_DISPATCH_MIN_CASES) or len(classes) < 2:
        raise ValidationError(
            _(
                "可用于训练的已结案件不足：需要至少%(n)s件、两个以上类别（每类至少%(k)s件），现有%(m)s件"
            )
            % {
                "n": settings.CIVICGRID_DISPATCH_MIN_CASES,
                "k": settings.CIVICGRID_DISPATCH_MIN_PER_CATEGORY,
                "m": len(labels),
            }
        )
    index = np.arange(len(labels))
    # A fifth held out, at least one report of each category (each has MIN_PER_CATEGORY ≥ 3).
    held = max(round(len(labels) * 0.2), len(classes))
    train, test = train_test_split(index, test_size=held, random_state=0, stratify=labels)
    probe = classifier.DispatchModel().fit(
        [titles[i] for i in train], [texts[i] for i in train], [labels[i] for i in train]
    )
    p = probe.probabilities([titles[i] for i in test], [texts[i] for i in test])
    order = np.argsort(-p, axis=1)
    truth = np.asarray([labels[i] for i in test])
    first_guess = probe.classes_[order[:, 0]]
    second_guess = probe.classes_[order[:, 1]]
    metrics = _metrics(classes, truth, first_guess)
    metrics["test_count"] = len(test)
    fitted = classifier.DispatchModel().fit(titles, texts, labels)
    names = dict(
        Category.objects.filter(pk__in=[int(c) for c in classes if c.isdigit()]).values_list(
            "pk", "name"
        )
    )
    now = now or timezone.now()
    with transaction.atomic():
        row = TrainedModel.objects.create(
            created_at=now,
            created_by=user,
            trigger=trigger,
            recipe=classifier.RECIPE,
            blob=fitted.dumps(),
            sample_count=len(labels),
            data_from=first,
            data_to=last,
            data_hash=classifier.data_hash(titles, texts, labels),
            labels={c: names.get(int(c), c) if c.isdigit() else c for c in classes},
            accuracy=float(np.mean(first_guess == truth)),
            top2_accuracy=float(np.mean((first_guess == truth) | (second_guess == truth))),
            metrics=metrics,
            libraries=classifier.library_versions(),
            training_seconds=round(time.perf_counter() - started, 2),
        )
        _log(
            LogAction.TRAIN,
            user=user,
            at=now,
            data={"model": row.pk, "count": len(labels), "accuracy": row.accuracy},
        )
        if activate:
            _activate(row, user, now)
    return row


def _metrics(classes, truth, guess) -> dict:
    index = {c: i for i, c in enumerate(classes)}
    confusion = np.zeros((len(classes), len(classes)), dtype=int)
    for t, g in zip(truth, guess, strict=True):
        confusion[index[t], index[g]] += 1
    per_class = {}
    for c, i in index.items():
        support = int(confusion[i].sum())
        predicted = int(confusion[:, i].sum())
        per_class[c] = {
            "precision": round(confusion[i, i] / predicted, 4) if predicted else 0.0,
            "recall": round(confusion[i, i] / support, 4) if support else 0.0,
            "support": support,
        }
    return {"labels": list(classes), "per_class": per_class, "confusion": confusion.tolist()}


def _activate(row: TrainedModel, user, now) -> None:
    TrainedModel.objects.filter(is_active=True).exclude(pk=row.pk).update(is_active=False)
    TrainedModel.objects.filter(pk=row.pk).update(is_active=True)
    row.is_active = True
    forget_active_model()
    _log(LogAction.ACTIVATE, user=user, at=now, data={"model": row.pk})


def do_activate(user, row: TrainedModel, *, now=None) -> TrainedModel:
    """Make `row` the one model that suggests (the admin's comparison page)."""
    require_role(user, DISPATCH_SETUP_ROLES)
    now = now or timezone.now()
    with transaction.atomic():
        list(
            TrainedModel.objects.select_for_update(of=("self",))
            .filter(Q(is_active=True) | Q(pk=row.pk))
            .values_list("pk", flat=True)
        )
        _activate(row, user, now)
    return row


def retrain_monthly() -> str:
    """The periodic job (CIVICGRID_PERIODIC_JOBS): retrain on the street's closed cases; too
    few cases is not an error (a new street), it is said."""
    try:
        row = do_train(None, trigger=Trigger.TASK)
    except ValidationError as exc:
        return "; ".join(exc.messages)
    return f"model {row.pk}: {row.accuracy:.3f} on {row.sample_count}"


# --- figures ------------------------------------------------------------------------------------


def figures(since=None) -> dict:
    """How the suggestions fare: made, accepted, corrected, dispatched by the system (counted
    apart), still pending, and the share right among those decided by people."""
    rows = Suggestion.objects.all()
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    counts = rows.aggregate(
        total=Count("pk"),
        accepted=Count("pk", filter=Q(outcome=Outcome.ACCEPTED)),
        corrected=Count("pk", filter=Q(outcome=Outcome.CORRECTED)),
        auto=Count("pk", filter=Q(outcome=Outcome.AUTO)),
        pending=Count("pk", filter=Q(outcome=Outcome.PENDING)),
    )
    decided = counts["accepted"] + counts["corrected"]
    counts["accuracy"] = counts["accepted"] / decided if decided else None
    return counts


PERIODS = ("day", "week", "month")


def auto_dispatch_counts(suggestions, *, period: str = "month", since=None, until=None) -> dict:
    """Reports dispatched by the system (自动派单) counted apart from those the desk filed
    (采纳 + 更正) and those still waiting, per period (day, week from Monday, month; by the
    report's suggestion time, local dates) and category (the final one once decided, else the
    suggested one). `suggestions` is already scoped by the caller; since/until are dates,
    both included."""
    from django.db.models.functions import Coalesce, TruncDay, TruncMonth, TruncWeek

    if period not in PERIODS:
        raise ValueError(period)
    trunc = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}[period]
    if since is not None:
        suggestions = suggestions.filter(created_at__date__gte=since)
    if until is not None:
        suggestions = suggestions.filter(created_at__date__lte=until)
    rows = (
        suggestions.annotate(
            at=trunc("created_at"),
            cat=Coalesce("final_category_id", "category_id"),
        )
        .values("at", "cat")
        .annotate(
            auto=Count("pk", filter=Q(outcome=Outcome.AUTO)),
            desk=Count("pk", filter=Q(outcome__in=[Outcome.ACCEPTED, Outcome.CORRECTED])),
            pending=Count("pk", filter=Q(outcome=Outcome.PENDING)),
            total=Count("pk"),
        )
        .order_by("at", "cat")
    )
    rows = list(rows)
    names = dict(Category.objects.filter(pk__in={r["cat"] for r in rows}).values_list("pk", "name"))
    out = [
        {
            "period": (r["at"].date() if hasattr(r["at"], "date") else r["at"]).isoformat(),
            "category": r["cat"],
            "category_name": names.get(r["cat"], ""),
            "auto": r["auto"],
            "desk": r["desk"],
            "pending": r["pending"],
            "total": r["total"],
        }
        for r in rows
    ]
    totals = {key: sum(r[key] for r in out) for key in ("auto", "desk", "pending", "total")}
    totals["auto_share"] = totals["auto"] / totals["total"] if totals["total"] else None
    return {"period": period, "rows": out, "totals": totals}


def month_ago(now=None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=30)
