"""The 社区报's REST endpoints: issues (list, detail with articles and history; a published
issue for anyone, drafts for the bulletin's staff), compile, approve, send back, publish, and
an article's edit. Every write is a service; a step the issue's state does not allow is a 409."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from civicgrid.bulletin import services
from civicgrid.bulletin.api import serializers as s
from civicgrid.bulletin.filters import ArticleFilter, IssueFilter
from civicgrid.bulletin.models import Article, Issue
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.api import validated_input
from civicgrid.core.openapi import ErrorSerializer


def _conflict(error):
    return Response({"detail": str(error.message)}, status=status.HTTP_409_CONFLICT)


class IssueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """社区报: the issues a reader may see (anyone: the published ones)."""

    permission_classes = [permissions.AllowAny]
    filterset_class = IssueFilter

    def get_permissions(self):
        if self.action in ("list", "retrieve", "events"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_serializer_class(self):
        return (
            s.BulletinIssueDetailSerializer
            if self.action == "retrieve"
            else s.BulletinIssueSerializer
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Issue.objects.none()
        qs = services.visible_issues(self.request.user).order_by("-number")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch("articles", Article.objects.order_by("position", "id"))
            )
        return qs

    @extend_schema(
        request=s.BulletinCompileSerializer, responses={201: s.BulletinIssueDetailSerializer}
    )
    @action(detail=False, methods=["post"])
    def compile(self, request, format=None):
        """A new issue drafted from the data of the period (editors)."""
        body = s.BulletinCompileSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        issue = services.do_compile_issue(request.user, **body.validated_data)
        return Response(s.BulletinIssueDetailSerializer(issue).data, status=status.HTTP_201_CREATED)

    def _step(self, request, function, **kwargs):
        issue = self.get_object()
        try:
            function(request.user, issue, **kwargs)
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.BulletinIssueSerializer(Issue.objects.get(pk=issue.pk)).data)

    @extend_schema(
        request=s.BulletinNoteSerializer,
        responses={200: s.BulletinIssueSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, format=None):
        """审定 (党建办/宣传): an edited issue is approved."""
        data = validated_input(s.BulletinNoteSerializer, request)
        return self._step(request, services.do_approve, note=data.get("note", ""))

    @extend_schema(
        request=s.BulletinNoteSerializer,
        responses={200: s.BulletinIssueSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None, format=None):
        """退回修改, with the reason."""
        data = validated_input(s.BulletinNoteSerializer, request)
        return self._step(request, services.do_return, note=data.get("note", ""))

    @extend_schema(request=None, responses={200: s.BulletinIssueSerializer, 409: ErrorSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None, format=None):
        """出版: the approved issue becomes public."""
        return self._step(request, services.do_publish)

    @extend_schema(responses={200: s.BulletinEventSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None, format=None):
        """The issue's history (履历)."""
        issue = self.get_object()
        return Response(s.BulletinEventSerializer(issue.events.all(), many=True).data)


class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """稿件 of the issues a reader may see (by issue number, section, topic); editors change
    their words."""

    permission_classes = [permissions.AllowAny]
    serializer_class = s.BulletinArticleSerializer
    filterset_class = ArticleFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Article.objects.none()
        return Article.objects.filter(
            issue__in=services.visible_issues(self.request.user).values("pk")
        ).order_by("issue_id", "position", "id")

    @extend_schema(
        request=s.BulletinArticleEditSerializer,
        responses={200: s.BulletinArticleSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def edit(self, request, pk=None, format=None):
        """The editors' words for the article; the issue becomes 已编辑."""
        article = self.get_object()
        body = s.BulletinArticleEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            article = services.do_edit_article(request.user, article, **body.validated_data)
        except IllegalTransition as error:
            return _conflict(error)
        return Response(s.BulletinArticleSerializer(article).data)
