"""The time bank's REST endpoints: projects, partners, volunteers (phones masked), service
records (record, submit, verify, reject), requests (ask, match, done, cancel), accounts with
their transfers, the signed-in holder's own account (`me`) and the report. Staff see the rows of
their 居村 (timebank.scoping); a resident sees their own records, requests and account. Every
write is a service."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.policy import TIMEBANK_RESIDENT_ROLES, TIMEBANK_VIEW_ROLES
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.api import validated_input
from civicgrid.core.openapi import ErrorSerializer, ValidationErrorSerializer
from civicgrid.registry.models import Resident
from civicgrid.timebank import reports, services
from civicgrid.timebank.api import serializers as s
from civicgrid.timebank.filters import RecordFilter, RequestFilter, VolunteerFilter
from civicgrid.timebank.models import (
    Account,
    HelpRequest,
    Partner,
    Project,
    ServiceRecord,
    Transfer,
    Volunteer,
)
from civicgrid.timebank.scoping import scope_rows, visible_communities


class StaffReaders(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看爱心银行")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in TIMEBANK_VIEW_ROLES
        )


class Readers(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看爱心银行")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and (
            request.user.effective_role in TIMEBANK_VIEW_ROLES | TIMEBANK_RESIDENT_ROLES
        )


def _is_resident(user) -> bool:
    return user.effective_role in TIMEBANK_RESIDENT_ROLES


def _field_error(field, message):
    raise exceptions.ValidationError({field: [message]})


def _conflict(error):
    return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    """公益伙伴 (the street's list: partners serve several 居村)."""

    permission_classes = [StaffReaders]
    serializer_class = s.TimebankPartnerSerializer
    queryset = Partner.objects.order_by("name")
    filterset_fields = ["kind", "is_active"]


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """助老项目 of the reader's 居村 (a resident sees the active ones, to ask help)."""

    permission_classes = [Readers]
    serializer_class = s.TimebankProjectSerializer
    filterset_fields = ["kind", "is_active", "community"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Project.objects.none()
        qs = Project.objects.select_related("coordinator").order_by("community_id", "name")
        if _is_resident(self.request.user):
            return qs.filter(is_active=True)
        return scope_rows(qs, self.request.user)


class VolunteerViewSet(viewsets.ReadOnlyModelViewSet):
    """志愿者 of the reader's 居村, phones masked."""

    permission_classes = [StaffReaders]
    serializer_class = s.TimebankVolunteerSerializer
    filterset_class = VolunteerFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Volunteer.objects.none()
        qs = Volunteer.objects.select_related("team").order_by("community_id", "name", "id")
        return scope_rows(qs, self.request.user)

    @extend_schema(
        request=s.TimebankConsentSerializer,
        responses={200: s.TimebankVolunteerSerializer, 400: ValidationErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None, format=None):
        """公开姓名同意: record or withdraw the volunteer's consent to be named on an honour roll
        (the 居委)."""
        volunteer = self.get_object()
        body = s.TimebankConsentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        volunteer = services.do_set_name_consent(
            request.user,
            volunteer,
            body.validated_data["name_consent"],
            on=body.validated_data.get("name_consent_on"),
        )
        return Response(s.TimebankVolunteerSerializer(volunteer).data)


def _records_for(user):
    qs = ServiceRecord.objects.select_related("project", "volunteer", "recipient")
    if _is_resident(user):
        account = services.account_of_user(user)
        volunteer = services.volunteer_of(account) if account else None
        return qs.filter(volunteer=volunteer) if volunteer else qs.none()
    return scope_rows(qs, user) | qs.filter(project__coordinator=user)


class RecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """服务记录 and their steps; a step the record's state does not allow is a 409."""

    permission_classes = [Readers]
    serializer_class = s.TimebankRecordSerializer
    filterset_class = RecordFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return ServiceRecord.objects.none()
        return _records_for(self.request.user).order_by("-started_at", "-id")

    @extend_schema(
        request=s.TimebankRecordCreateSerializer, responses={201: s.TimebankRecordSerializer}
    )
    def create(self, request):
        """Record a service (a resident: their own, as a volunteer)."""
        data = validated_input(s.TimebankRecordCreateSerializer, request)
        user = request.user
        if _is_resident(user):
            account = services.account_of_user(user)
            volunteers = Volunteer.objects.filter(
                pk=getattr(services.volunteer_of(account) if account else None, "pk", None)
            )
            projects = Project.objects.filter(is_active=True)
        else:
            volunteers = scope_rows(Volunteer.objects.all(), user)
            projects = scope_rows(Project.objects.all(), user)
        volunteer = volunteers.filter(pk=data["volunteer"]).first()
        if volunteer is None:
            _field_error("volunteer", gettext_lazy("没有这位志愿者，或您不能为其记录"))
        project = projects.filter(pk=data["project"]).first()
        if project is None:
            _field_error("project", gettext_lazy("没有这个项目"))
        recipient = None
        if data.get("recipient"):
            recipient = Resident.objects.filter(pk=data["recipient"]).first()
            if recipient is None:
                _field_error("recipient", gettext_lazy("没有这位居民"))
        record = services.do_record_service(
            user,
            volunteer=volunteer,
            project=project,
            recipient=recipient,
            activity=data.get("activity", ""),
            started_at=data["started_at"],
            ended_at=data["ended_at"],
            confirmation=data.get("confirmation", ""),
            note=data.get("note", ""),
            submit=data["submit"],
        )
        return Response(s.TimebankRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    def _step(self, request, function, **kwargs):
        record = self.get_object()
        try:
            function(record, request.user, **kwargs)
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.TimebankRecordSerializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(request=None, responses={200: s.TimebankRecordSerializer, 409: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, format=None):
        """A draft (or a rejected record) goes to the coordinator."""
        return self._step(request, services.do_submit)

    @extend_schema(request=None, responses={200: s.TimebankRecordSerializer, 409: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None, format=None):
        """The coordinator verifies: the credit is posted."""
        return self._step(request, services.do_verify)

    @extend_schema(
        request=s.TimebankNoteSerializer,
        responses={200: s.TimebankRecordSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None, format=None):
        """The coordinator sends it back, with the reason."""
        data = validated_input(s.TimebankNoteSerializer, request)
        return self._step(request, services.do_reject, note=data.get("note", ""))


def _requests_for(user):
    qs = HelpRequest.objects.select_related("elder", "project", "volunteer")
    if _is_resident(user):
        return qs.filter(asked_by=user)
    return scope_rows(qs, user) | qs.filter(project__coordinator=user)


class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """求助 and their steps (match, done, cancel)."""

    permission_classes = [Readers]
    serializer_class = s.TimebankRequestSerializer
    filterset_class = RequestFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return HelpRequest.objects.none()
        return _requests_for(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        request=s.TimebankRequestCreateSerializer, responses={201: s.TimebankRequestSerializer}
    )
    def create(self, request):
        """Ask help for an elder (a resident: of their household or a declared relative)."""
        data = validated_input(s.TimebankRequestCreateSerializer, request)
        elder = (
            Resident.objects.select_related("household__address__micro_grid")
            .filter(pk=data["elder"])
            .first()
        )
        if elder is None:
            _field_error("elder", gettext_lazy("没有这位老人"))
        project = Project.objects.filter(pk=data["project"], is_active=True).first()
        if project is None:
            _field_error("project", gettext_lazy("没有这个项目"))
        done = services.do_ask_help(
            request.user,
            elder=elder,
            project=project,
            wanted_on=data["wanted_on"],
            description=data["description"],
            contact_phone=data.get("contact_phone", ""),
        )
        return Response(s.TimebankRequestSerializer(done).data, status=status.HTTP_201_CREATED)

    def _step(self, request, function, *args, **kwargs):
        help_request = self.get_object()
        try:
            function(help_request, request.user, *args, **kwargs)
        except IllegalTransition as error:
            return _conflict(error)
        return Response(
            s.TimebankRequestSerializer(self.get_queryset().get(pk=help_request.pk)).data
        )

    @extend_schema(
        request=s.TimebankMatchSerializer,
        responses={200: s.TimebankRequestSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None, format=None):
        """The coordinator matches a volunteer."""
        data = validated_input(s.TimebankMatchSerializer, request)
        volunteer = (
            scope_rows(Volunteer.objects.all(), request.user).filter(pk=data["volunteer"]).first()
        )
        if volunteer is None:
            _field_error("volunteer", gettext_lazy("没有这位志愿者"))
        return self._step(request, services.do_match, volunteer)

    @extend_schema(
        request=s.TimebankNoteSerializer,
        responses={200: s.TimebankRequestSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None, format=None):
        """Served."""
        data = validated_input(s.TimebankNoteSerializer, request)
        return self._step(request, services.do_close_request, "done", note=data.get("note", ""))

    @extend_schema(
        request=s.TimebankNoteSerializer,
        responses={200: s.TimebankRequestSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None, format=None):
        """Cancelled (by staff, or by whoever asked)."""
        data = validated_input(s.TimebankNoteSerializer, request)
        return self._step(request, services.do_close_request, "cancel", note=data.get("note", ""))


class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    """时间账户 of the reader's 居村 (the bank's own three for street-wide readers)."""

    permission_classes = [StaffReaders]
    serializer_class = s.TimebankAccountSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Account.objects.none()
        qs = Account.objects.select_related("volunteer", "resident").order_by("kind", "id")
        if visible_communities(self.request.user) is None:
            return qs
        return scope_rows(qs.filter(community__isnull=False), self.request.user)

    @extend_schema(responses={200: s.TimebankTransferSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def transfers(self, request, pk=None, format=None):
        """The account's transfers, newest first (one page)."""
        account = self.get_object()
        rows = Transfer.objects.filter(Q(debit=account) | Q(credit=account)).order_by("-at", "-id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.TimebankTransferSerializer(page, many=True).data)


class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The ledger's postings of the reader's 居村 (newest first), and a posting's reversal (冲正) by the 居委 or the street's desk: the
    opposite transfer, once; the row itself never changes."""

    permission_classes = [StaffReaders]
    serializer_class = s.TimebankTransferSerializer
    filterset_fields = ["kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Transfer.objects.none()
        qs = Transfer.objects.all().order_by("-at", "-id")
        communities = visible_communities(self.request.user)
        if communities is None:
            return qs
        ids = communities.values("pk")
        return qs.filter(Q(debit__community__in=ids) | Q(credit__community__in=ids))

    @extend_schema(
        request=s.TimebankReverseSerializer,
        responses={
            201: s.TimebankTransferSerializer,
            400: ValidationErrorSerializer,
            409: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None, format=None):
        """冲正: post the opposite of this transfer, with the reason."""
        transfer = self.get_object()
        body = s.TimebankReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            reversal = services.do_reverse(request.user, transfer, note=body.validated_data["note"])
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.TimebankTransferSerializer(reversal).data, status=status.HTTP_201_CREATED)


class MeView(APIView):
    """The signed-in resident's own time account (balance in minutes and hours)."""

    permission_classes = [Readers]

    @extend_schema(responses={200: s.TimebankAccountSerializer, 404: ErrorSerializer})
    def get(self, request, format=None):
        account = services.account_of_user(request.user)
        if account is None:
            return Response(
                {"detail": str(gettext_lazy("您的账号还没有关联时间账户"))},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(s.TimebankAccountSerializer(account).data)


class ReportView(APIView):
    """The figures over the reader's 居村 and the days first..last (default: the last year)."""

    permission_classes = [StaffReaders]

    @extend_schema(
        parameters=[
            OpenApiParameter("first", datetime.date),
            OpenApiParameter("last", datetime.date),
        ],
        responses={200: s.TimebankReportSerializer},
    )
    def get(self, request, format=None):
        today = timezone.localdate()
        try:
            last = datetime.date.fromisoformat(
                request.query_params.get("last") or today.isoformat()
            )
            first = datetime.date.fromisoformat(
                request.query_params.get("first")
                or (last - datetime.timedelta(days=364)).isoformat()
            )
        except ValueError:
            _field_error("first", gettext_lazy("日期格式应为 YYYY-MM-DD"))
        if first > last or (last - first).days > 3 * 366:
            _field_error("first", gettext_lazy("日期范围无效（最长三年）"))
        figures = reports.report(visible_communities(request.user), first, last)
        return Response(s.TimebankReportSerializer(figures).data)
