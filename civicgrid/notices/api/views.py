"""The notices' REST endpoints: the notices a reader may read (anyone: the public ones; staff:
those of their scope, drafts included), their steps (draft, submit, publish, correct is the
page's; withdraw, object, answer), and a signed-in household's own relocation figures. Every
write is a service; a step the notice's state does not allow is a 409."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.policy import NOTICES_RESIDENT_ROLES, NOTICES_VIEW_ROLES
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.api import validated_input
from civicgrid.core.openapi import ErrorSerializer
from civicgrid.grids.models import Grid
from civicgrid.notices import services
from civicgrid.notices.api import serializers as s
from civicgrid.notices.filters import NoticeFilter
from civicgrid.notices.models import Notice, Objection
from civicgrid.registry.models import Household


class Households(permissions.IsAuthenticated):
    message = gettext_lazy("请以居民账户登录")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in NOTICES_RESIDENT_ROLES
        )


def _conflict(error):
    return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)


class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """公示公告: the public ones for anyone; staff also their scope's drafts and reviews."""

    permission_classes = [permissions.AllowAny]
    filterset_class = NoticeFilter

    def get_serializer_class(self):
        return (
            s.NoticesNoticeDetailSerializer if self.action != "list" else s.NoticesNoticeSerializer
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Notice.objects.none()
        user = self.request.user if self.request.user.is_authenticated else None
        qs = services.shown_notices(user)
        if user is not None and user.effective_role in NOTICES_VIEW_ROLES:
            qs = qs | services.scope_notices(Notice.objects.all(), user)
        return (
            qs.distinct()
            .select_related("grid")
            .prefetch_related("versions", "entries", "objections__answer")
            .order_by("-published_at", "-id")
        )

    def _signed_in(self):
        if not self.request.user.is_authenticated:
            raise exceptions.NotAuthenticated()

    @extend_schema(
        request=s.NoticesDraftSerializer, responses={201: s.NoticesNoticeDetailSerializer}
    )
    def create(self, request):
        """起草 a notice (staff)."""
        self._signed_in()
        data = validated_input(s.NoticesDraftSerializer, request)
        grid_id = data.pop("grid", None)
        grid = Grid.objects.filter(pk=grid_id).first() if grid_id else None
        ids = set(data.pop("households", []))
        households = list(Household.objects.filter(pk__in=ids))
        if len(households) != len(ids):
            raise exceptions.ValidationError({"households": [gettext_lazy("没有这些住户")]})
        notice = services.do_draft_notice(request.user, grid=grid, households=households, **data)
        return Response(
            s.NoticesNoticeDetailSerializer(notice).data, status=status.HTTP_201_CREATED
        )

    def _step(self, function, **kwargs):
        self._signed_in()
        notice = self.get_object()
        try:
            function(self.request.user, notice, **kwargs)
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.NoticesNoticeDetailSerializer(self.get_queryset().get(pk=notice.pk)).data)

    @extend_schema(
        request=None, responses={200: s.NoticesNoticeDetailSerializer, 409: ErrorSerializer}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, format=None):
        """送审."""
        return self._step(services.do_submit)

    @extend_schema(
        request=s.NoticesPublishSerializer,
        responses={200: s.NoticesNoticeDetailSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None, format=None):
        """审核发布 (the approver); with a later `publish_at` it waits as 定时待发布."""
        data = validated_input(s.NoticesPublishSerializer, request)
        return self._step(services.do_publish, publish_at=data.get("publish_at"))

    @extend_schema(
        request=s.NoticesReasonSerializer,
        responses={200: s.NoticesNoticeDetailSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, format=None):
        """撤回, with a public reason."""
        data = validated_input(s.NoticesReasonSerializer, request)
        return self._step(services.do_withdraw, reason=data["reason"])

    @extend_schema(
        request=s.NoticesTextSerializer,
        responses={201: s.NoticesObjectionSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def object(self, request, pk=None, format=None):
        """提出异议 (a signed-in resident, within the objection period)."""
        self._signed_in()
        notice = self.get_object()
        body = s.NoticesTextSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            objection = services.do_object(request.user, notice, text=body.validated_data["text"])
        except IllegalTransition as error:
            return _conflict(error)
        return Response(
            s.NoticesObjectionSerializer(objection).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=s.NoticesAnswerSerializer,
        responses={200: s.NoticesNoticeDetailSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None, format=None):
        """答复异议 (the publisher)."""
        self._signed_in()
        notice = self.get_object()
        body = s.NoticesAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        objection = Objection.objects.filter(
            pk=body.validated_data["objection"], notice=notice
        ).first()
        if objection is None:
            raise exceptions.ValidationError({"objection": [gettext_lazy("没有这条异议")]})
        try:
            services.do_answer(request.user, objection, text=body.validated_data["text"])
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.NoticesNoticeDetailSerializer(self.get_queryset().get(pk=notice.pk)).data)


class MyRelocationView(APIView):
    """我家征收信息: the signed-in household's projects, their totals and its own figures."""

    permission_classes = [Households]

    @extend_schema(responses={200: s.NoticesMyRelocationSerializer(many=True)})
    def get(self, request, format=None):
        return Response(
            s.NoticesMyRelocationSerializer(services.my_relocations(request.user), many=True).data
        )
