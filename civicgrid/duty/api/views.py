"""Duty REST endpoints: the roster (read by the 城运中心 and leaders, added by the chiefs), who is
on duty now, and 督办件 (given by the 带班领导, answered by the handling side; scoped like their
cases). Every write goes through duty.services."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.models import User
from civicgrid.accounts.policy import STREET_WIDE_ROLES
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import scope_cases
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.api import validated_input
from civicgrid.core.openapi import ErrorSerializer
from civicgrid.duty import services
from civicgrid.duty.api import serializers as s
from civicgrid.duty.choices import DutyRole
from civicgrid.duty.models import DutyShift, Liaison, Supervision


class RosterReaders(permissions.IsAuthenticated):
    """The 城运中心 and the leaders read the roster; who may add to it is duty.services'."""

    message = gettext_lazy("只有城运中心和领导可以查看值班表")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in STREET_WIDE_ROLES
        )


class DutyShiftViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """值班表: the current and coming shifts (and those ended in the last 24 hours)."""

    serializer_class = s.DutyShiftSerializer
    permission_classes = [RosterReaders]

    def get_queryset(self):
        return DutyShift.objects.select_related("user").filter(
            ends_at__gt=timezone.now() - datetime.timedelta(days=1)
        )

    @extend_schema(request=s.DutyShiftInputSerializer, responses={201: s.DutyShiftSerializer})
    def create(self, request):
        data = validated_input(s.DutyShiftInputSerializer, request)
        person = User.objects.filter(pk=data.pop("user")).first()
        shift = services.do_add_shift(request.user, user=person, **data)
        return Response(s.DutyShiftSerializer(shift).data, status=status.HTTP_201_CREATED)


class OnDutyView(APIView):
    """Who is 值班长 and 带班领导 now."""

    permission_classes = [RosterReaders]

    @extend_schema(responses={200: s.OnDutySerializer(many=True)})
    def get(self, request):
        now = timezone.now()
        rows = []
        for role in DutyRole:
            shifts = DutyShift.objects.select_related("user").filter(
                role=role, starts_at__lte=now, ends_at__gt=now, user__is_active=True
            )
            rows.append({"role": role.value, "role_label": str(role.label), "users": list(shifts)})
        return Response(s.OnDutySerializer(rows, many=True).data)


class SupervisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """督办件 of the cases the user may see; POST gives one (带班领导), /answer/ answers it."""

    serializer_class = s.SupervisionSerializer

    def get_queryset(self):
        queryset = Supervision.objects.select_related("case", "by", "answered_by")
        status_filter = self.request.query_params.get("status")
        if status_filter:
            queryset = queryset.filter(status=status_filter)
        return services.scoped_supervisions(self.request.user, queryset)

    @extend_schema(
        request=s.SupervisionInputSerializer,
        responses={201: s.SupervisionSerializer, 409: ErrorSerializer},
    )
    def create(self, request):
        data = validated_input(s.SupervisionInputSerializer, request)
        case = scope_cases(Case.objects.all(), request.user).filter(number=data["case"].strip())
        case = case.first()
        if case is None:
            raise ValidationError({"case": [_("案件不存在或不在您的范围内")]})
        try:
            supervision = services.do_supervise(
                case, request.user, instruction=data["instruction"], deadline=data["deadline"]
            )
        except IllegalTransition as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(s.SupervisionSerializer(supervision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.AnswerSerializer, responses={200: s.SupervisionSerializer, 409: ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        supervision = self.get_object()
        answer = validated_input(s.AnswerSerializer, request)["answer"]
        try:
            supervision = services.do_answer_supervision(supervision, request.user, answer=answer)
        except IllegalTransition as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(s.SupervisionSerializer(supervision).data)


class LiaisonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """联系居委: department staff and the 居村 they keep in touch with (`?community=<code>`),
    over the 居村 the user may see; a department's staff see their own."""

    serializer_class = s.LiaisonSerializer

    def get_queryset(self):
        queryset = Liaison.objects.select_related("user__department", "community")
        code = self.request.query_params.get("community")
        if code:
            queryset = queryset.filter(community__code=code.strip())
        return services.scoped_liaisons(self.request.user, queryset)
