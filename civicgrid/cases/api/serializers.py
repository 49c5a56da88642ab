"""Serializers of the case API. They validate shape only; cases.services decides and writes."""

import copy
import math

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from civicgrid.cases import clock
from civicgrid.cases import public as public_view
from civicgrid.cases.choices import (
    SOURCES_NOT_BY_HAND,
    CaseSource,
    CaseStatus,
    HotlineRequestType,
    MediationOutcome,
    Rating,
)
from civicgrid.cases.models import CallIn, Case, CaseEvent, Category, ExtensionRequest
from civicgrid.cases.notifications import mask_email
from civicgrid.cases.services import MAX_DESCRIPTION, MAX_NOTE, first_contact_deadline
from civicgrid.core.inputs import validate_date_range
from civicgrid.registry.pii import mask_phone


class CategorySerializer(serializers.ModelSerializer):
    family_display = serializers.CharField(source="get_family_display", read_only=True)
    parent_code = serializers.CharField(
        source="parent.code", read_only=True, default=None, allow_null=True
    )
    default_department = serializers.CharField(
        source="default_department.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Category
        fields = [
            "id",
            "family",
            "family_display",
            "code",
            "name",
            "parent_code",
            "default_department",
            "filing_limit_minutes",
            "handling_limit_value",
            "handling_limit_unit",
            "is_urgent",
        ]


class FieldsBuiltOnce:
    """For read serializers of models: build the fields once per class and language, and give
    each instance a deep copy — as DRF already does with declared fields.

    ModelSerializer otherwise rebuilds every field from the model's metadata on each
    instantiation (about 1 ms for a case's detail, a tenth of an intake: bench/intake.py). What
    it builds depends only on the class (Meta, declarations) and on the active language (labels
    come from verbose names), never on the instance, its data or its context.
    """

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = {}
            cls._fields_built_once = built  # per class: a subclass builds its own
        language = get_language()
        fields = built.get(language)
        if fields is None:
            # Two threads racing here both build; either result is the same.
            fields = built[language] = super().get_fields()
        return copy.deepcopy(fields)


class CaseListSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """One row of the list; reporter phones always masked (see cases.api.views)."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    category_family = serializers.CharField(source="category.family", read_only=True)
    # A case outside every grid (人工定位 pending) or not yet dispatched has none: null.
    micro_grid_code = serializers.CharField(
        source="micro_grid.code", read_only=True, default=None, allow_null=True
    )
    micro_grid_name = serializers.CharField(
        source="micro_grid.name", read_only=True, default=None, allow_null=True
    )
    department = serializers.CharField(
        source="assigned_department.name", read_only=True, default=None, allow_null=True
    )
    reporter_phone = serializers.SerializerMethodField()
    reporter_email = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number",
            "source",
            "source_display",
            "status",
            "status_display",
            "category_code",
            "category_name",
            "category_family",
            "description",
            "address",
            "lon",
            "lat",
            "micro_grid_code",
            "micro_grid_name",
            "needs_manual_location",
            "department",
            "handled_by_grid",
            "reporter_name",
            "reporter_phone",
            "reporter_email",
            "is_anonymous",
            "reported_at",
            "filing_deadline",
            "handling_deadline",
            "calendar_published",
            "is_suspended",
            "is_overdue",
            "warning_level",
            "rating",
        ]

    @extend_schema_field(serializers.CharField())
    def get_reporter_phone(self, case):
        # Personal data: shown masked everywhere; the full number is for the call-back flow.
        return mask_phone(case.reporter_phone)

    @extend_schema_field(serializers.CharField())
    def get_reporter_email(self, case):
        # Personal data like the phone: masked ("z***@example.com") in every output.
        return mask_email(case.reporter_email)

    @extend_schema_field(serializers.BooleanField())
    def get_is_overdue(self, case):
        # 超期 as everywhere (cases.clock): the running clock is past its deadline.
        return clock.is_overdue(case, self.context.get("now") or timezone.now())

    def to_representation(self, case):
        """The row built directly (a page of 50 in about a tenth of DRF's field-by-field walk:
        the list's main cost); the same dict as the declared fields give — tests/test_list_pages.py
        compares the two. Subclasses with more fields take DRF's way."""
        if type(self) is not CaseListSerializer:
            return super().to_representation(case)
        when, sources, statuses = self._datetime, *self._labels
        category, grid, department = case.category, case.micro_grid, case.assigned_department
        return {
            "number": case.number,
            "source": case.source,
            "source_display": sources.get(case.source, case.source),
            "status": case.status,
            "status_display": statuses.get(case.status, case.status),
            "category_code": category.code,
            "category_name": category.name,
            "category_family": category.family,
            "description": case.description,
            "address": case.address,
            "lon": case.lon,
            "lat": case.lat,
            "micro_grid_code": grid.code if grid is not None else None,
            "micro_grid_name": grid.name if grid is not None else None,
            "needs_manual_location": case.needs_manual_location,
            "department": department.name if department is not None else None,
            "handled_by_grid": case.handled_by_grid,
            "reporter_name": case.reporter_name,
            "reporter_phone": mask_phone(case.reporter_phone),
            "reporter_email": mask_email(case.reporter_email),
            "is_anonymous": case.is_anonymous,
            "reported_at": when(case.reported_at),
            "filing_deadline": when(case.filing_deadline),
            "handling_deadline": when(case.handling_deadline),
            "calendar_published": case.calendar_published,
            "is_suspended": case.is_suspended,
            "is_overdue": self.get_is_overdue(case),
            "warning_level": case.warning_level,
            "rating": case.rating,
        }

    @property
    def _labels(self):
        """The choices' labels in the active language, translated once per page (get_FOO_display
        translates and hashes every choice on every call: most of a page's time)."""
        labels = self.__dict__.get("_choice_labels")
        if labels is None:
            labels = self.__dict__["_choice_labels"] = tuple(
                {value: str(label) for value, label in Case._meta.get_field(name).flatchoices}
                for name in ("source", "status")
            )
        return labels

    @property
    def _datetime(self):
        field = self.__dict__.get("_datetime_field")
        if field is None:
            field = self.__dict__["_datetime_field"] = serializers.DateTimeField()
        to_text = field.to_representation
        return lambda value: None if value is None else to_text(value)


class DuplicateSerializer(CaseListSerializer):
    distance_m = serializers.FloatField(
        read_only=True, allow_null=True, help_text=_("相距米数；任一方没有坐标时为空")
    )
    match = serializers.ChoiceField(
        choices=[
            ("nearby", _("距离相近")),
            ("address", _("同一标准地址")),
            ("building_group", _("同一楼组")),
        ],
        read_only=True,
        help_text=_("判为疑似重复的依据"),
    )

    class Meta(CaseListSerializer.Meta):
        fields = [*CaseListSerializer.Meta.fields, "distance_m", "match"]


class RevealPhoneSerializer(serializers.Serializer):
    number = serializers.CharField()
    reporter_phone = serializers.CharField()


class CaseEventSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.username", read_only=True, default=None, allow_null=True
    )
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "at",
            "actor",
            "action",
            "action_display",
            "from_status",
            "to_status",
            "note",
            "data",
        ]


class ExtensionSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(
        source="requested_by.username", read_only=True, default=None, allow_null=True
    )
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "requested_by",
            "requested_at",
            "days",
            "reason",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "previous_deadline",
            "new_deadline",
        ]


class CallInSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(
        source="requested_by.username", read_only=True, default=None, allow_null=True
    )
    departments = serializers.SerializerMethodField()

    class Meta:
        model = CallIn
        fields = [
            "id",
            "requested_by",
            "requested_at",
            "reason",
            "departments",
            "meeting_at",
            "outcome",
            "status",
            "concluded_at",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_departments(self, call_in):
        return [d.name for d in call_in.departments.all()]


class CaseDetailSerializer(CaseListSerializer):
    history = CaseEventSerializer(source="events", many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    call_ins = CallInSerializer(many=True, read_only=True)
    merged_into = serializers.CharField(
        source="merged_into.number", read_only=True, default=None, allow_null=True
    )
    allowed_actions = serializers.SerializerMethodField()
    first_contact_by = serializers.SerializerMethodField()
    first_contact_deadline = serializers.SerializerMethodField()
    first_contact_on_time = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "external_ticket",
            "hotline_request_type",
            "hotline_dispatched_at",
            "hotline_deadline",
            "filed_at",
            "dispatched_at",
            "accepted_at",
            "handled_at",
            "closed_at",
            "rated_at",
            "verification_deadline",
            "handling_result",
            "mediation_outcome",
            "rating_comment",
            "resolved",
            "first_contact_at",
            "first_contact_by",
            "first_contact_note",
            "first_contact_deadline",
            "first_contact_on_time",
            "complex_limit_approved_at",
            "rework_count",
            "extension_count",
            "returned_count",
            "reopened_once",
            "merged_into",
            "suspension_reason",
            "pauses",
            "history",
            "extensions",
            "call_ins",
            "allowed_actions",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_first_contact_by(self, case):
        # Staff name as the history shows it (CaseEventSerializer's actor).
        user = case.first_contact_by
        if user is None:
            return None
        return f"{user.last_name}{user.first_name}".strip() or user.username

    @extend_schema_field(serializers.DateTimeField())
    def get_first_contact_deadline(self, case):
        # 先行联系 limit: CIVICGRID_FIRST_CONTACT_HOURS wall-clock hours (services.clocks).
        return serializers.DateTimeField().to_representation(first_contact_deadline(case))

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_first_contact_on_time(self, case):
        # Null while nobody has contacted the caller yet.
        if case.first_contact_at is None:
            return None
        return case.first_contact_at <= first_contact_deadline(case)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, case):
        # The one answer (cases.actions), from the detail's prefetched extensions and call-ins.
        from civicgrid.cases.actions import available_actions

        return available_actions(self.context["request"].user, case)


class IntakeSourceField(serializers.ChoiceField):
    """来源 of a new report: the sources a client may pick (not choices.SOURCES_NOT_BY_HAND, so
    the schema does not offer them and lean_intake_fields leaves them to this field), and for
    those a refusal that says where they come from."""

    def __init__(self, **kwargs):
        choices = [(v, label) for v, label in CaseSource.choices if v not in SOURCES_NOT_BY_HAND]
        super().__init__(choices=choices, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and data in SOURCES_NOT_BY_HAND:
            raise serializers.ValidationError(SOURCES_NOT_BY_HAND[data], code="not_by_hand")
        return super().to_internal_value(data)


class IntakeSerializer(serializers.Serializer):
    """A new report. `category` is the id of a second-level category (see /api/cases/categories/)."""

    category = serializers.IntegerField(
        error_messages={
            "required": _("请选择问题类别"),
            "null": _("请选择问题类别"),
            "invalid": _("问题类别必须是类别编号（id）"),
        }
    )
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION,
        error_messages={
            "required": _("请填写问题描述"),
            "blank": _("请填写问题描述"),
            "max_length": _("问题描述不能超过{max_length}个字"),
        },
    )
    source = IntakeSourceField(required=False)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    reporter_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    reporter_email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    is_anonymous = serializers.BooleanField(required=False, default=False)
    # The desk types in a 12345 ticket by hand (source hotline_12345): a later push of the same
    # ticket finds this case (services.intake_hotline).
    external_ticket = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text=_("12345 工单号（人工录入）")
    )
    hotline_request_type = serializers.ChoiceField(
        choices=HotlineRequestType.choices, required=False, allow_blank=True
    )


def _plain_text(value, max_length: int, blank: bool):
    """A JSON string as IntakeSerializer's CharField keeps it (trimmed), or None when that
    field could refuse it or would convert it (the serializer then decides, with its message)."""
    if type(value) is not str or "\x00" in value:
        return None
    try:
        value.encode("utf-8")  # a lone surrogate: the field refuses it
    except UnicodeEncodeError:
        return None
    value = value.strip()
    if len(value) > max_length or (not blank and not value):
        return None
    return value


def _intake_text_fields():
    return {
        name: (field.max_length, field.allow_blank)
        for name, field in IntakeSerializer._declared_fields.items()
        if type(field) is serializers.CharField
    }


def lean_intake_fields(data) -> dict | None:
    """IntakeSerializer's validated_data for an ordinary JSON body, checked directly (a tenth of
    the field-by-field walk); None for anything it is not sure of — another content type, a
    value of another type, a value the serializer would refuse — which then goes through
    IntakeSerializer for its answer and its messages. tests/test_intake_queries.py compares both
    on valid and invalid bodies."""
    if type(data) is not dict:
        return None
    fields = IntakeSerializer._declared_fields
    texts = _INTAKE_TEXT_FIELDS
    out = {}
    for name, value in data.items():
        field = fields.get(name)
        if field is None:
            continue  # the serializer ignores unknown keys too
        if name in texts:
            value = _plain_text(value, *texts[name])
            if value is None:
                return None
        elif name == "category":
            if type(value) is not int or not -(2**63) < value < 2**63:
                return None
        elif name in ("lon", "lat"):
            if value is not None:
                if type(value) not in (int, float):
                    return None
                try:
                    value = float(value)
                except OverflowError:
                    return None
                if not math.isfinite(value):
                    return None
        elif name == "is_anonymous":
            if type(value) is not bool:
                return None
        elif name in ("source", "hotline_request_type"):
            if type(value) is not str or value not in field.choice_strings_to_values:
                if not (value == "" and field.allow_blank):
                    return None
        else:
            return None
        out[name] = value
    if "category" not in out or "description" not in out:
        return None
    out.setdefault("is_anonymous", False)
    return out


class IntakeLinksSerializer(serializers.Serializer):
    self = serializers.CharField(help_text=_("案件详情（GET）"))


class IntakeAnswerSerializer(serializers.Serializer):
    """What POST /api/cases/ answers by default (`Prefer: return=minimal`): the new case's
    number, state and link — built from what the intake holds, without serializing the whole
    case. `?full=1` or `Prefer: return=representation` answers the case's full view instead."""

    number = serializers.CharField(help_text=_("案件编号"))
    status = serializers.CharField(help_text=_("状态"))
    status_display = serializers.CharField()
    reported_at = serializers.DateTimeField()
    links = IntakeLinksSerializer()


def intake_answer(case, url: str) -> dict:
    """IntakeAnswerSerializer's dict for a case, built directly (no field walk)."""
    return {
        "number": case.number,
        "status": case.status,
        # The label itself: get_status_display rebuilds a dict of every status (hashing each
        # lazy label) on each call.
        "status_display": str(CaseStatus(case.status).label),
        "reported_at": serializers.DateTimeField().to_representation(case.reported_at),
        "links": {"self": url},
    }


_INTAKE_TEXT_FIELDS = _intake_text_fields()


class HotlineSerializer(IntakeSerializer):
    """A 12345 push: the ticket number makes it idempotent."""

    external_ticket = None
    ticket = serializers.CharField(max_length=64)
    hotline_request_type = serializers.ChoiceField(
        choices=HotlineRequestType.choices, required=False, allow_blank=True
    )
    # The hotline's clock (cases.clock.HOTLINE): its dispatch time and deadline, checked by
    # services.do_report.
    dispatched_at = serializers.DateTimeField(
        source="hotline_dispatched_at", required=False, allow_null=True
    )
    deadline = serializers.DateTimeField(source="hotline_deadline", required=False, allow_null=True)
    source = None


_note = {"max_length": MAX_NOTE, "required": False, "allow_blank": True}


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(**_note)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_NOTE, allow_blank=True)


class FileSerializer(NoteSerializer):
    category = serializers.IntegerField(required=False, allow_null=True)


class LocateSerializer(NoteSerializer):
    # Checked by services.do_locate (range, inside a micro-grid), with its messages.
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)


def _co_departments():
    return serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_empty=True,
        help_text=_("协办部门（部门 id）；各协办部门反馈后主办部门才能提交处置结果"),
    )


class DispatchSerializer(NoteSerializer):
    department = serializers.IntegerField(required=False, allow_null=True)
    to_grid = serializers.BooleanField(required=False, default=False)
    co_departments = _co_departments()


class RedispatchSerializer(serializers.Serializer):
    department = serializers.IntegerField(allow_null=True, help_text=_("改派到的处置部门 id"))
    co_departments = _co_departments()
    reason = serializers.CharField(max_length=MAX_NOTE, allow_blank=True)


class CoFeedbackSerializer(serializers.Serializer):
    feedback = serializers.CharField(max_length=MAX_NOTE, allow_blank=True)


class HandleSerializer(serializers.Serializer):
    result = serializers.CharField(max_length=MAX_NOTE, allow_blank=True)
    mediation_outcome = serializers.ChoiceField(
        choices=MediationOutcome.choices,
        required=False,
        allow_blank=True,
        help_text=_("矛盾纠纷类案件必填"),
    )


class VerifyPassSerializer(NoteSerializer):
    resolved = serializers.BooleanField(
        required=False, default=True, help_text=_("问题是否解决（默认是）")
    )


class RateSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)
    resolved = serializers.BooleanField(
        required=False, allow_null=True, help_text=_("回访时记录问题是否解决（城运中心）")
    )


class ExtensionRequestSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    reason = serializers.CharField(max_length=MAX_NOTE, allow_blank=True)


class ExtensionDecisionSerializer(serializers.Serializer):
    extension = serializers.IntegerField()
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class MergeSerializer(NoteSerializer):
    master = serializers.CharField(max_length=20, help_text=_("主案件编号"))


class CallInStartSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_NOTE, allow_blank=True)
    departments = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)
    meeting_at = serializers.DateTimeField(required=False, allow_null=True)


class CallInOutcomeSerializer(serializers.Serializer):
    call_in = serializers.IntegerField()
    outcome = serializers.CharField(max_length=MAX_NOTE, allow_blank=True)
    meeting_at = serializers.DateTimeField(required=False, allow_null=True)


# The body of each action's endpoint (cases.actions.ACTIONS; the fields are the service's).
ACTION_BODIES = {
    "file": FileSerializer,
    "refuse_filing": ReasonSerializer,
    "dispatch": DispatchSerializer,
    "accept": NoteSerializer,
    "return": ReasonSerializer,
    "handle": HandleSerializer,
    "verify_pass": VerifyPassSerializer,
    "verify_fail": ReasonSerializer,
    "rate": RateSerializer,
    "request_extension": ExtensionRequestSerializer,
    "decide_extension": ExtensionDecisionSerializer,
    "locate": LocateSerializer,
    "suspend": ReasonSerializer,
    "resume": NoteSerializer,
    "merge": MergeSerializer,
    "start_call_in": CallInStartSerializer,
    "record_call_in_outcome": CallInOutcomeSerializer,
    "send_back": ReasonSerializer,
    "first_contact": NoteSerializer,
    "approve_complex_limit": NoteSerializer,
    "redispatch": RedispatchSerializer,
    "recall": ReasonSerializer,
    "hurry": NoteSerializer,
    "co_feedback": CoFeedbackSerializer,
    "unmerge": ReasonSerializer,
}


class TrackSerializer(serializers.ModelSerializer):
    """What the holder of a case's public token sees: progress, no personal data."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    handling_result = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number",
            "status",
            "status_display",
            "category_name",
            "reported_at",
            "filed_at",
            "handled_at",
            "closed_at",
            "handling_result",
            "rating",
            "rated_at",
        ]

    @extend_schema_field(serializers.CharField())
    def get_handling_result(self, case):
        # Staff write it: their names, phones and rooms in it are masked (core.scrub).
        return public_view.public_result(case, _acting_users(case))


# --- what a reporter sees of their own case through the API ----------------------------------------
#
# Residents, and anyone who sees a case only because they reported it, get the view the
# residents' page shows (civicgrid/public, cases.public): the state, the times, the result with
# personal data masked and the steps in public words — never who did them, notes, departments,
# grids or deadlines. Staff who see the case through their work keep CaseDetailSerializer.


def _acting_users(case) -> list:
    """The users who acted on `case`, from its prefetched history when loaded (the detail's
    queryset and a new case's answer), else in one query."""
    prefetched = getattr(case, "_prefetched_objects_cache", {}).get("events")
    if prefetched is not None:
        return [event.actor for event in prefetched if event.actor_id]
    from django.contrib.auth import get_user_model

    return list(
        get_user_model()
        .objects.filter(pk__in=case.events.filter(actor__isnull=False).values("actor"))
        .only("username", "first_name", "last_name")
    )


def sees_internals(user, case) -> bool:
    """Whether `user` sees `case` through their work (the full view) rather than only as its
    reporter (the public view): street-wide roles always; a department's handlers the cases
    dispatched to it; grid and community staff the cases of their micro-grids; residents never."""
    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.policy import GRID_SCOPED_ROLES
    from civicgrid.grids.scoping import visible_micro_grids

    if user is None or not user.is_authenticated:
        return False
    if user.sees_whole_street:
        return True
    role = user.effective_role
    if role == Role.DEPT_HANDLER:
        return bool(user.department_id) and case.assigned_department_id == user.department_id
    if role in GRID_SCOPED_ROLES:
        if case.micro_grid_id is None:
            return False
        return visible_micro_grids(user).filter(pk=case.micro_grid_id).exists()
    return False


def is_public_viewer(user) -> bool:
    """Whether every case `user` can list is theirs only as its reporter (a resident)."""
    from civicgrid.accounts.choices import Role

    return user is None or not user.is_authenticated or user.effective_role == Role.RESIDENT


class PublicStepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField(help_text=_("步骤（上报、立案、派遣……）"))
    label = serializers.CharField(help_text=_("对外说明"))
    rating = serializers.CharField(required=False, help_text=_("评价（仅评价步骤）"))
    detail = serializers.CharField(
        required=False,
        help_text=_("写给报告人的说明：不予立案的原因、延期后的办理期限、补充或撤销的说明"),
    )
    next_step = serializers.CharField(required=False, help_text=_("下一步可以怎么做（不予立案时）"))


class PublicCaseListSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """One of a reporter's own cases in a list: what the residents' page shows."""

    view = serializers.SerializerMethodField(help_text=_("“public”：上报人所见的公开视图"))
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    reporter_phone = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "view",
            "number",
            "status",
            "status_display",
            "is_suspended",
            "category_name",
            "description",
            "address",
            "reporter_phone",
            "is_anonymous",
            "reported_at",
            "rating",
        ]

    @extend_schema_field({"type": "string", "enum": ["public"]})
    def get_view(self, case):
        return "public"

    @extend_schema_field(serializers.CharField())
    def get_reporter_phone(self, case):
        return mask_phone(case.reporter_phone)


class PublicCaseSerializer(PublicCaseListSerializer):
    """A reporter's own case: the residents' page's view (cases.public), plus what they may do."""

    handling_result = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta(PublicCaseListSerializer.Meta):
        fields = [
            *PublicCaseListSerializer.Meta.fields,
            "filed_at",
            "handled_at",
            "closed_at",
            "handling_result",
            "rating_comment",
            "rated_at",
            "timeline",
            "allowed_actions",
        ]

    @extend_schema_field(serializers.CharField())
    def get_handling_result(self, case):
        return public_view.public_result(case, _acting_users(case))

    @extend_schema_field(PublicStepSerializer(many=True))
    def get_timeline(self, case):
        prefetched = getattr(case, "_prefetched_objects_cache", {}).get("events")
        if prefetched is not None:
            rows = [(e.at, e.action, e.data, e.note) for e in sorted(prefetched, key=_event_order)]
        else:
            rows = case.events.order_by("at", "id").values_list("at", "action", "data", "note")
        # The words written for the reporter (cases.public) with staff names masked.
        names = [case.reporter_name, *public_view.people_names(_acting_users(case))]
        steps = (public_view.public_step(*row, names=names) for row in rows)
        return PublicStepSerializer([s for s in steps if s is not None], many=True).data

    get_allowed_actions = CaseDetailSerializer.get_allowed_actions


def _event_order(event):
    return (event.at, event.id or 0)


CASE_OR_PUBLIC = PolymorphicProxySerializer(
    component_name="CaseDetailOrPublic",
    serializers=[CaseDetailSerializer, PublicCaseSerializer],
    resource_type_field_name=None,
)
# POST /api/cases/: the minimal answer by default, the case's view on request.
INTAKE_ANSWER_OR_CASE = PolymorphicProxySerializer(
    component_name="IntakeAnswerOrCase",
    serializers=[IntakeAnswerSerializer, CaseDetailSerializer, PublicCaseSerializer],
    resource_type_field_name=None,
)
CASE_LIST_OR_PUBLIC = PolymorphicProxySerializer(
    component_name="CaseListOrPublic",
    serializers=[CaseListSerializer, PublicCaseListSerializer],
    resource_type_field_name=None,
    many=True,
)


def case_data(case, context) -> dict:
    """`case` for the caller in `context`: the full detail for staff who see it through their
    work, the public view for its reporter (sees_internals)."""
    user = context["request"].user
    serializer = CaseDetailSerializer if sees_internals(user, case) else PublicCaseSerializer
    return serializer(case, context=context).data


class IndicatorQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False,
        help_text=_("起始日期（含），默认本月1日"),
        validators=[validate_date_range],
    )
    end = serializers.DateField(
        required=False, help_text=_("截止日期（含），默认今天"), validators=[validate_date_range]
    )
    by = serializers.ChoiceField(
        choices=[
            ("street", _("街镇")),
            ("area", _("片区")),
            ("community", _("居村")),
            ("micro_grid", _("微网格")),
            ("department", _("部门")),
            ("category", _("类别")),
            ("reporter", _("上报人")),
        ],
        required=False,
        default="street",
    )

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("start", today.replace(day=1))
        attrs.setdefault("end", today)
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("截止日期不能早于起始日期")})
        return attrs


class IndicatorRowSerializer(serializers.Serializer):
    group = serializers.CharField()
    key = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    filed = serializers.IntegerField(help_text=_("立案数"))
    due = serializers.IntegerField(help_text=_("应结案数"))
    handled = serializers.IntegerField(help_text=_("处置数"))
    handled_on_time = serializers.IntegerField(help_text=_("按期处置数"))
    closed = serializers.IntegerField(help_text=_("结案数"))
    closed_on_time = serializers.IntegerField(help_text=_("按期结案数"))
    reworked = serializers.IntegerField(help_text=_("返工数"))
    overdue = serializers.IntegerField(help_text=_("超期数"))
    extended = serializers.IntegerField(help_text=_("延期数"))
    rated = serializers.IntegerField(help_text=_("评价数"))
    satisfied = serializers.IntegerField(help_text=_("满意数（含基本满意）"))
    supervised = serializers.IntegerField(required=False, help_text=_("督办件数"))
    hurried = serializers.IntegerField(required=False, help_text=_("催办件数"))
    reported = serializers.IntegerField(help_text=_("上报数（期内上报、已决定是否立案）"))
    reported_filed = serializers.IntegerField(help_text=_("有效上报数（其中已立案、未合并）"))
    verified = serializers.IntegerField(help_text=_("核查次数"))
    verified_on_time = serializers.IntegerField(help_text=_("按时核查次数"))
    resolution_answered = serializers.IntegerField(help_text=_("已结案并回答是否解决的案件数"))
    resolved = serializers.IntegerField(help_text=_("已解决数"))
    hotline_tickets = serializers.IntegerField(help_text=_("12345工单数"))
    first_contact_on_time = serializers.IntegerField(help_text=_("按时先行联系数"))
    closure_rate = serializers.FloatField(allow_null=True, help_text=_("结案率 %"))
    on_time_closure_rate = serializers.FloatField(allow_null=True, help_text=_("按期结案率 %"))
    handling_rate = serializers.FloatField(allow_null=True, help_text=_("处置率 %"))
    on_time_handling_rate = serializers.FloatField(allow_null=True, help_text=_("按期处置率 %"))
    rework_rate = serializers.FloatField(allow_null=True, help_text=_("返工率 %"))
    overdue_rate = serializers.FloatField(allow_null=True, help_text=_("超期率 %"))
    extension_rate = serializers.FloatField(allow_null=True, help_text=_("延期率 %"))
    satisfaction_rate = serializers.FloatField(allow_null=True, help_text=_("满意率 %"))
    valid_report_rate = serializers.FloatField(allow_null=True, help_text=_("有效上报率 %"))
    on_time_verification_rate = serializers.FloatField(allow_null=True, help_text=_("按时核实率 %"))
    resolution_rate = serializers.FloatField(allow_null=True, help_text=_("解决率 %"))
    first_contact_rate = serializers.FloatField(allow_null=True, help_text=_("先行联系及时率 %"))
    avg_handling_hours = serializers.FloatField(
        allow_null=True, help_text=_("平均处置用时（工作小时）")
    )
    grade = serializers.CharField(allow_null=True, help_text=_("按期结案率等级 A–E"))
