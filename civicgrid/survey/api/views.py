"""Survey REST endpoint: the results of the residents' satisfaction survey (居民满意度测评) for
staff, each over the 居村 of the grids they may see (grids.scoping). Read only; answers are given
on the residents' pages (civicgrid.public)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from civicgrid.accounts.policy import SURVEY_RESULTS_ROLES
from civicgrid.core.openapi import ErrorSerializer
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.survey import services
from civicgrid.survey.api import serializers as s
from civicgrid.survey.models import Survey


class SurveyReaders(permissions.IsAuthenticated):
    message = gettext_lazy("您的角色无权查看满意度测评结果")

    def has_permission(self, request, view):
        return (
            super().has_permission(request, view)
            and request.user.effective_role in SURVEY_RESULTS_ROLES
        )


class SurveyResultsView(APIView):
    """满意度测评结果: the latest survey (or `?survey=<id>`), averages of each item and answer
    counts, overall and per 居村, counting only the 居村 the reader may see."""

    permission_classes = [SurveyReaders]

    @extend_schema(
        parameters=[s.ResultsQuerySerializer],
        responses={200: s.SurveyResultsSerializer, 404: ErrorSerializer},
    )
    def get(self, request):
        query = s.ResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        micro = visible_micro_grids(request.user)
        communities = None
        if micro is not None:
            communities = Grid.objects.filter(pk__in=micro.values("pk")).values("parent_id")
        pk = query.validated_data.get("survey")
        if pk is None:
            survey = services.latest_survey()
            if survey is None:
                raise NotFound(_("还没有满意度测评"))
        else:
            survey = Survey.objects.select_related("community").filter(pk=pk).first()
            outside = (
                survey is not None
                and survey.community_id is not None
                and communities is not None
                and not Grid.objects.filter(pk=survey.community_id, pk__in=communities).exists()
            )
            if survey is None or outside:
                raise NotFound(_("没有找到该测评"))
        return Response(s.SurveyResultsSerializer(services.results(survey, communities)).data)
