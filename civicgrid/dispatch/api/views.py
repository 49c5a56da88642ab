"""Smart dispatch's REST endpoints: a prediction for a text (writes nothing), a case's stored
suggestion and the desk's acceptance or correction (cases' own 立案 + 派遣), and the 权责清单.
The desk's roles (DISPATCH_ROLES) only; a case outside the user's scope is a 404."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.policy import DISPATCH_ROLES
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import scope_cases
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.api import validated_query
from civicgrid.core.openapi import ErrorSerializer
from civicgrid.dispatch import services
from civicgrid.dispatch.api import serializers as s
from civicgrid.dispatch.filters import ResponsibilityFilter
from civicgrid.dispatch.models import Responsibility, Suggestion


class Desk(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权使用智能派单")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view) and request.user.effective_role in DISPATCH_ROLES
        )


class PredictView(APIView):
    """The active model's category, top three, reason and department for a text (nothing is
    written): the intake form asks it while the desk types. 404 without an active model."""

    permission_classes = [Desk]

    @extend_schema(
        request=s.DispatchPredictRequestSerializer,
        responses={200: s.DispatchPredictionSerializer, 404: ErrorSerializer},
    )
    def post(self, request):
        data = s.DispatchPredictRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        said = services.predict(
            data.validated_data["description"], data.validated_data.get("micro_grid")
        )
        if said is None:
            return Response({"detail": _("没有启用的派单模型")}, status=status.HTTP_404_NOT_FOUND)
        department = said["department"]
        return Response(
            {
                "model": said["model"].pk,
                "category": said["category"],
                "confidence": said["confidence"],
                "alternatives": said["alternatives"],
                "reasons": said["reasons"],
                "department": department.pk if department else None,
                "department_name": department.name if department else None,
            }
        )


def _case(request, case_id) -> Case:
    return get_object_or_404(scope_cases(Case.objects.all(), request.user), pk=case_id)


class SuggestionView(APIView):
    """A case's suggestion (404 if the case has none or is out of scope)."""

    permission_classes = [Desk]

    @extend_schema(responses={200: s.DispatchSuggestionSerializer, 404: ErrorSerializer})
    def get(self, request, case_id: int):
        case = _case(request, case_id)
        suggestion = get_object_or_404(
            Suggestion.objects.select_related("case", "category", "department"), case=case
        )
        return Response(s.DispatchSuggestionSerializer(suggestion).data)


class AcceptView(APIView):
    """采纳 (no category) or 更正 (another category): the case is filed and dispatched to the
    权责清单's department (or the one named). 409 if the case is no longer 待受理."""

    permission_classes = [Desk]

    @extend_schema(
        request=s.DispatchAcceptSerializer,
        # 400: the field errors of the request (the API's usual validation answer).
        responses={200: s.DispatchSuggestionSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request, case_id: int):
        case = _case(request, case_id)
        data = s.DispatchAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.do_accept(
                case,
                request.user,
                category=data.validated_data.get("category"),
                department=data.validated_data.get("department"),
                note=data.validated_data.get("note", ""),
            )
        except IllegalTransition as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        suggestion = Suggestion.objects.select_related("case", "category", "department").get(
            case=case
        )
        return Response(s.DispatchSuggestionSerializer(suggestion).data)


class ResponsibilityViewSet(viewsets.ReadOnlyModelViewSet):
    """权责清单 (edited in the admin by the 值班长 and the keeper)."""

    permission_classes = [Desk]
    serializer_class = s.DispatchResponsibilitySerializer
    queryset = Responsibility.objects.select_related("category", "area", "department").order_by(
        "category__family", "category__code", "area__code", "pk"
    )
    filterset_class = ResponsibilityFilter


class AutoDispatchCountsView(APIView):
    """自动派单统计: reports filed and dispatched by the system, counted apart from those the
    desk filed and those still waiting, per period (?period=day|week|month, default month) and
    category, between ?since and ?until (dates, both included). Scoped like the other
    endpoints: the desk's roles, and only suggestions on cases the user may see."""

    permission_classes = [Desk]

    @extend_schema(
        parameters=[s.DispatchCountsQuerySerializer],
        responses={200: s.DispatchCountsSerializer},
    )
    def get(self, request):
        data = validated_query(s.DispatchCountsQuerySerializer, request)
        visible = Suggestion.objects.filter(
            case__in=scope_cases(Case.objects.all(), request.user).values("pk")
        )
        return Response(services.auto_dispatch_counts(visible, **data))
