"""Case REST endpoints: scoped lists, detail with history, intake, one POST per action.

Views only translate HTTP to cases.services calls. Errors: bad input 400 (field → message),
role or scope 403, unknown or invisible case 404, an action the case's state does not allow
409 — all with Chinese messages, and nothing written.
"""

from django.core.exceptions import RequestDataTooBig
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.policy import HOTLINE_ROLES, INDICATOR_ROLES, is_limited_reporter
from civicgrid.cases import indicators, services
from civicgrid.cases.actions import ACTIONS
from civicgrid.cases.api import serializers as s
from civicgrid.cases.api.pagination import CaseListPagination
from civicgrid.cases.duplicates import possible_duplicates
from civicgrid.cases.filters import CaseFilter
from civicgrid.cases.models import CallIn, Case, CaseEvent, Category, ExtensionRequest
from civicgrid.cases.permissions import scope_cases
from civicgrid.core import ratelimit
from civicgrid.core.openapi import ErrorSerializer


class PayloadTooLarge(ParseError):
    default_detail = _lazy("请求内容过大,问题描述请精简后再提交")


def _payload(request):
    """request.data, with a body over DATA_UPLOAD_MAX_MEMORY_SIZE a clear 400, not a 500."""
    try:
        return request.data
    except RequestDataTooBig:
        raise PayloadTooLarge() from None


def _conflict(exc):
    return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)


IDEMPOTENCY = "Idempotency-Key"
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "幂等键（IETF 草案 The Idempotency-Key HTTP Header Field）：1到255个可打印 ASCII 字符，"
        "建议每次上报生成一个 UUID，重试时原样再发。同一键、同一内容的重复提交返回首次建立的"
        "案件（200），不再新建；同一键、不同内容为422；不带此头时每次提交都新建案件。"
        "键只在同一账号内有效。"
    ),
)


PREFER = OpenApiParameter(
    "Prefer",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "RFC 7240：return=minimal（默认）只返回案件编号、状态和链接；"
        "return=representation 返回案件的完整视图（同 ?full=1）"
    ),
)
FULL = OpenApiParameter(
    "full",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    required=False,
    description="1：返回案件的完整视图（同 Prefer: return=representation）",
)


def wants_full_answer(request) -> bool:
    """Whether an intake asked for the case's full view: `?full=1` (or true) or
    `Prefer: return=representation`; the default is the minimal answer."""
    if request.query_params.get("full", "").strip().lower() in ("1", "true", "yes"):
        return True
    prefer = request.headers.get("Prefer", "")
    return any(
        part.split(";")[0].strip().lower().replace(" ", "") == "return=representation"
        for part in prefer.split(",")
    )


def detail_queryset():
    return Case.objects.select_related(
        "category", "micro_grid", "assigned_department", "merged_into", "first_contact_by"
    ).prefetch_related(
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
        Prefetch(
            "extensions",
            queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by"),
        ),
        Prefetch(
            "call_ins",
            queryset=CallIn.objects.select_related("requested_by").prefetch_related("departments"),
        ),
    )


def new_case_as_loaded(case: Case, event: CaseEvent) -> Case:
    """A case services.do_report has just created, ready for CaseDetailSerializer as
    if read back with detail_queryset(), without reading it back (that was four queries, the
    micro-grid's whole boundary among them, for what the intake already holds): its history is
    the one report event, it has no extensions and no call-ins, and no department or master case
    yet. Only for the response: the primed relations would go stale on a later change.
    tests/test_intake_queries.py checks that the answer equals the one read from the database."""
    for name, rows in (("events", [event]), ("extensions", []), ("call_ins", [])):
        # What prefetch_related leaves behind: an evaluated queryset in the prefetch cache.
        queryset = getattr(case, name).all()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        case.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset
    return case


# The columns a row of the list shows or needs (is_overdue reads the clock's deadlines): no
# micro-grid boundary, no handling result or pauses — a page of 50 reads about 50 short rows.
LIST_COLUMNS = (
    "number",
    "source",
    "status",
    "description",
    "address",
    "lon",
    "lat",
    "needs_manual_location",
    "handled_by_grid",
    "reporter_name",
    "reporter_phone",
    "reporter_email",
    "is_anonymous",
    "reported_at",
    "filing_deadline",
    "handling_deadline",
    "verification_deadline",
    "hotline_deadline",
    "calendar_published",
    "is_suspended",
    "warning_level",
    "rating",
    "category__code",
    "category__name",
    "category__family",
    "micro_grid__code",
    "micro_grid__name",
    "assigned_department__name",
)


def list_queryset():
    """Cases with what CaseListSerializer and PublicCaseListSerializer show, and nothing more."""
    return Case.objects.select_related("category", "micro_grid", "assigned_department").only(
        *LIST_COLUMNS
    )


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Active categories (both levels); report with the id of a second-level one."""

    serializer_class = s.CategorySerializer
    pagination_class = None
    queryset = Category.objects.filter(is_active=True).select_related(
        "parent", "default_department"
    )


def _action_endpoint(spec, body_serializer):
    """One POST endpoint `/api/cases/{number}/{path}/` for one action of cases.actions.ACTIONS
    (its service, its input read by `body_serializer`)."""

    def endpoint(self, request, number=None):
        case = self.get_object()
        body = body_serializer(data=_payload(request))
        body.is_valid(raise_exception=True)
        try:
            spec.perform(case, request.user, dict(body.validated_data))
        except services.IllegalTransition as exc:
            return _conflict(exc)
        fresh = detail_queryset().get(pk=case.pk)
        return Response(s.case_data(fresh, self.get_serializer_context()))

    # The router maps the method by its name, so the name is set before decorating.
    endpoint.__name__ = endpoint.__qualname__ = spec.method_name
    endpoint = action(detail=True, methods=["post"], url_path=spec.path)(endpoint)
    endpoint = extend_schema(
        request=body_serializer,
        responses={200: s.CASE_OR_PUBLIC, 409: ErrorSerializer},
        summary=spec.button_label,
    )(endpoint)
    return endpoint


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases the user may see (cases.permissions.scope_cases); POST is intake (上报)."""

    lookup_field = "number"
    lookup_value_regex = "[0-9]{13,}"
    filterset_class = CaseFilter
    pagination_class = CaseListPagination

    def get_queryset(self):
        if self.action == "list":
            base = list_queryset()
        elif self.action == "retrieve":
            base = detail_queryset()
        else:
            base = Case.objects.all()
        return scope_cases(base, self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            # A resident lists only their own reports, in the residents' page's public view.
            if s.is_public_viewer(self.request.user):
                return s.PublicCaseListSerializer
            return s.CaseListSerializer
        if self.action == "create":
            return s.IntakeSerializer
        return s.CaseDetailSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(responses=s.CASE_LIST_OR_PUBLIC)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=s.CASE_OR_PUBLIC)
    def retrieve(self, request, *args, **kwargs):
        """The full view for staff who see the case through their work; the residents' page's
        public view for its reporter (serializers.sees_internals)."""
        return Response(s.case_data(self.get_object(), self.get_serializer_context()))

    @extend_schema(
        request=s.IntakeSerializer,
        parameters=[IDEMPOTENCY_KEY, PREFER, FULL],
        responses={
            201: OpenApiResponse(
                s.INTAKE_ANSWER_OR_CASE,
                description=(
                    "默认只返回案件编号、状态和链接（Prefer: return=minimal）；"
                    "带 ?full=1 或 Prefer: return=representation 时返回案件的完整视图"
                ),
            ),
            200: OpenApiResponse(
                s.INTAKE_ANSWER_OR_CASE,
                description="同一 Idempotency-Key 的重复提交：返回首次提交建立的案件，不新建",
            ),
            422: OpenApiResponse(
                ErrorSerializer, description="同一 Idempotency-Key 已用于内容不同的上报"
            ),
            429: ratelimit.THROTTLED_RESPONSE,
        },
    )
    def create(self, request, *args, **kwargs):
        """Intake (上报). With an `Idempotency-Key` header a retry (the same key and body)
        answers the case the first request created (200) instead of making another. The answer
        is the new case's number, state and link; `?full=1` or `Prefer: return=representation`
        asks for the case's full view."""
        sender = f"api:{request.user.pk}"
        key = services.idempotency_key(request.headers.get(IDEMPOTENCY), sender)
        # A retry of a request that got through is answered, not counted by the rate limit.
        retry = key is not None and Case.objects.filter(client_key=key).exists()
        # Residents share one limit with the web form and Open311 (core/ratelimit.py); staff
        # reporting from their work (patrols, the hotline desk, departments) are not limited.
        if not retry and is_limited_reporter(request.user):
            verdict = ratelimit.hit_intake_limit(request)
            if verdict.refused:
                raise ratelimit.IntakeThrottled(verdict)
        payload = _payload(request)
        # An ordinary JSON body is checked directly; anything else, and every refusal with its
        # message, goes through the serializer.
        fields = s.lean_intake_fields(payload)
        if fields is None:
            body = s.IntakeSerializer(data=payload)
            body.is_valid(raise_exception=True)
            fields = body.validated_data
        if key is not None:
            return self._report_once(request, key, fields)
        done = services.do_report(user=request.user, **fields)
        if wants_full_answer(request):
            case = new_case_as_loaded(done.case, done.event)
            return self._answer(request, case, status.HTTP_201_CREATED, full=True)
        return self._answer(request, done.case, status.HTTP_201_CREATED)

    def _report_once(self, request, key, fields):
        try:
            case, created = services.report_once(
                user=request.user,
                client_key=key,
                fingerprint=services.payload_fingerprint(fields),
                **fields,
            )
        except services.IdempotencyConflict as exc:
            return Response({"detail": exc.message}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        if wants_full_answer(request):
            return self._answer(request, detail_queryset().get(pk=case.pk), code, full=True)
        return self._answer(request, case, code)

    def _answer(self, request, case, code, *, full=False):
        """The intake's answer: the case's view (`full`) or the minimal one; either way the
        case's URL in `Location` and the preference applied (RFC 7240)."""
        url = reverse("case-detail", kwargs={"number": case.number})
        if full:
            data = s.case_data(case, self.get_serializer_context())
        else:
            data = s.intake_answer(case, url)
        headers = {
            "Location": url,
            "Preference-Applied": "return=representation" if full else "return=minimal",
        }
        return Response(data, status=code, headers=headers)

    @extend_schema(responses={200: s.DuplicateSerializer(many=True)})
    # A plain list (the case's candidates), neither paginated nor filtered like the case list.
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def duplicates(self, request, number=None):
        """Open cases of the same category (or 归并组) close in time, nearby or at the same
        standard address or building group (candidates for 合并)."""
        case = self.get_object()
        visible = scope_cases(Case.objects.all(), request.user)
        rows = [
            {
                **s.CaseListSerializer(other, context=self.get_serializer_context()).data,
                "distance_m": None if distance is None else round(distance, 1),
                "match": match,
            }
            for other, distance, match in possible_duplicates(case, visible)
        ]
        return Response(rows)

    @extend_schema(request=None, responses={200: s.RevealPhoneSerializer})
    @action(detail=True, methods=["post"], url_path="reveal-phone")
    def reveal_phone(self, request, number=None):
        """The reporter's full phone (call-back); allowed roles only, logged in the history."""
        case = self.get_object()
        phone = services.reveal_reporter_phone(case, request.user, channel="api")
        return Response({"number": case.number, "reporter_phone": phone})


# One POST endpoint per action of cases.actions.ACTIONS, with the action's body serializer.
for _spec in ACTIONS.values():
    setattr(CaseViewSet, _spec.method_name, _action_endpoint(_spec, s.ACTION_BODIES[_spec.name]))


class HotlineView(APIView):
    """12345 push: 201 with a new case, 200 with the same case for a ticket already received."""

    @extend_schema(
        request=s.HotlineSerializer,
        responses={201: s.CaseDetailSerializer, 200: s.CaseDetailSerializer},
    )
    def post(self, request):
        if request.user.effective_role not in HOTLINE_ROLES:
            raise PermissionDenied(_("只有12345热线接口账号（城运中心）可以推送工单"))
        body = s.HotlineSerializer(data=_payload(request))
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        ticket = fields.pop("ticket")
        case, created = services.intake_hotline(user=request.user, ticket=ticket, **fields)
        fresh = detail_queryset().get(pk=case.pk)
        data = s.CaseDetailSerializer(
            fresh, context={"request": request, "now": timezone.now()}
        ).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class IndicatorsView(APIView):
    """综合评价 for a period, by street, community, micro-grid, department or category; each
    user over the cases they may see. Definitions: cases.indicators."""

    @extend_schema(
        parameters=[s.IndicatorQuerySerializer],
        responses={200: s.IndicatorRowSerializer(many=True)},
    )
    def get(self, request):
        if request.user.effective_role not in INDICATOR_ROLES:
            raise PermissionDenied(_("您的角色无权查看综合评价"))
        query = s.IndicatorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        start, end = indicators.period(params["start"], params["end"])
        rows = indicators.compute(request.user, start, end, group=params["by"])
        return Response(s.IndicatorRowSerializer(rows, many=True).data)


class TrackView(APIView):
    """Public follow-up by the token the reporter received: progress, no personal data."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: s.TrackSerializer})
    def get(self, request, token):
        case = get_object_or_404(Case.objects.select_related("category"), public_token=token)
        return Response(s.TrackSerializer(case).data)


class TrackRateView(APIView):
    """The reporter rates a closed case with its public token (anonymous reporters too). Signed-in
    callers are identified so that staff holding the link cannot rate (管监分离)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=s.RateSerializer, responses={200: s.TrackSerializer, 409: ErrorSerializer}
    )
    def post(self, request, token):
        case = get_object_or_404(Case, public_token=token)
        body = s.RateSerializer(data=_payload(request))
        body.is_valid(raise_exception=True)
        try:
            services.do_rate(
                case,
                request.user if request.user.is_authenticated else None,
                rating=body.validated_data["rating"],
                comment=body.validated_data.get("comment", ""),
                token=token,
            )
        except services.IllegalTransition as exc:
            return _conflict(exc)
        case = Case.objects.select_related("category").get(pk=case.pk)
        return Response(s.TrackSerializer(case).data)
