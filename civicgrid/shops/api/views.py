"""Shop roll REST endpoints (沿街商铺, 门责): blocks with their freshness, shops (register,
confirm in the half-monthly refresh, change state, close, reveal the operator's phone),
associations, the 门责 items, inspections and the report. Every list is scoped by
shops.services.scope_blocks/scope_shops; every write is a service."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.policy import SHOPS_VIEW_ROLES
from civicgrid.core.api import validated_input
from civicgrid.core.openapi import ErrorSerializer
from civicgrid.shops import services
from civicgrid.shops.api import serializers as s
from civicgrid.shops.filters import AssociationFilter, BlockFilter, InspectionFilter, ShopFilter
from civicgrid.shops.models import Association, Block, Inspection, InspectionItem, Shop


class ShopReaders(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看沿街商铺")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in SHOPS_VIEW_ROLES
        )


class BlockViewSet(viewsets.ReadOnlyModelViewSet):
    """商铺区块 with their 包干责任人, in-roll shop count and freshness today."""

    permission_classes = [ShopReaders]
    serializer_class = s.BlockSerializer
    filterset_class = BlockFilter

    def get_queryset(self):
        qs = Block.objects.select_related("community__parent", "responsible", "deputy").annotate(
            shop_count=Count("shops", filter=Q(shops__in_roll=True))
        )
        return services.scope_blocks(qs, self.request.user).order_by("code")

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "freshness": services.freshness(rows)}
        data = s.BlockSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class ShopViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """沿街商铺 (实有单位); the operator's phone is masked."""

    permission_classes = [ShopReaders]
    serializer_class = s.ShopSerializer
    filterset_class = ShopFilter

    def get_queryset(self):
        qs = Shop.objects.select_related("block", "association", "last_confirmed_by")
        return services.scope_shops(qs, self.request.user)

    @extend_schema(request=s.ShopCreateSerializer, responses={201: s.ShopSerializer})
    def create(self, request):
        """Register a shop (it counts as added in its block's refresh round)."""
        body = s.ShopCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        shop = services.do_register_shop(request.user, **body.validated_data)
        return Response(s.ShopSerializer(shop).data, status=status.HTTP_201_CREATED)

    def _event_answer(self, event):
        return Response(
            s.ShopEventAnswerSerializer(
                {
                    "id": event.pk,
                    "action": event.action,
                    "from_state": event.from_state,
                    "to_state": event.to_state,
                    "at": event.at,
                }
            ).data
        )

    @extend_schema(request=s.ConfirmSerializer, responses={200: s.ShopEventAnswerSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None, format=None):
        """The block's person saw the shop this half-month (unchanged, or in a new state)."""
        shop = self.get_object()
        data = validated_input(s.ConfirmSerializer, request)
        return self._event_answer(services.do_confirm_shop(request.user, shop, **data))

    @extend_schema(request=s.StateSerializer, responses={200: s.ShopEventAnswerSerializer})
    @action(detail=True, methods=["post"])
    def state(self, request, pk=None, format=None):
        """Change the shop's state (营业/歇业/装修/空置/转让) by the transition table."""
        shop = self.get_object()
        data = validated_input(s.StateSerializer, request)
        return self._event_answer(services.do_change_state(request.user, shop, **data))

    @extend_schema(request=s.CloseSerializer, responses={200: s.ShopEventAnswerSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, format=None):
        """The shop is gone: it leaves the roll (注销) with a reason."""
        shop = self.get_object()
        data = validated_input(s.CloseSerializer, request)
        return self._event_answer(services.do_close_shop(request.user, shop, **data))

    @extend_schema(request=None, responses={200: s.RevealedOperatorSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None, format=None):
        """The operator's full name and phone; allowed roles only, and logged."""
        shop = self.get_object()
        values = services.reveal_operator(request.user, shop, channel="api")
        return Response({"id": shop.pk, **values})


class AssociationViewSet(viewsets.ReadOnlyModelViewSet):
    """商铺自律联盟 with their head, convention and member count."""

    permission_classes = [ShopReaders]
    serializer_class = s.AssociationSerializer
    filterset_class = AssociationFilter

    def get_queryset(self):
        return Association.objects.select_related("head").annotate(
            member_count=Count("members", filter=Q(members__in_roll=True))
        )


class InspectionItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The 门责 check's items and the case category each failure opens."""

    permission_classes = [ShopReaders]
    serializer_class = s.InspectionItemSerializer
    pagination_class = None
    filterset_fields = ["is_active"]

    def get_queryset(self):
        return InspectionItem.objects.select_related("category")


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """门责检查 of the shops the reader may see, newest first."""

    permission_classes = [ShopReaders]
    serializer_class = s.InspectionSerializer
    filterset_class = InspectionFilter

    def get_queryset(self):
        qs = Inspection.objects.select_related("shop").prefetch_related(
            "results__item", "results__case"
        )
        return services.scope_shops(qs, self.request.user, prefix="shop__")

    @extend_schema(request=s.InspectionCreateSerializer, responses={201: s.InspectionSerializer})
    def create(self, request):
        """Record an inspection; each failed item opens a case in its category."""
        data = validated_input(s.InspectionCreateSerializer, request)
        # The shop is a field of the body: one not in the reader's scope is bad input (400).
        shop = (
            services.scope_shops(Shop.objects.all(), request.user).filter(pk=data["shop"]).first()
        )
        if shop is None:
            raise exceptions.ValidationError({"shop": [gettext_lazy("该商铺不在您的管辖范围内")]})
        results = {
            r["item"]: {"passed": r["passed"], "note": r.get("note", "")} for r in data["results"]
        }
        inspection = services.do_inspect(
            request.user,
            shop,
            results=results,
            note=data.get("note", ""),
            reinspection_of=data.get("reinspection_of"),
        )
        inspection = self.get_queryset().get(pk=inspection.pk)
        return Response(s.InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)


class ReportView(APIView):
    """The roll's report over the reader's scope."""

    permission_classes = [ShopReaders]

    @extend_schema(responses={200: s.ReportSerializer, 403: ErrorSerializer})
    def get(self, request):
        return Response(s.ReportSerializer(services.report(request.user)).data)
