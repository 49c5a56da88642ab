"""Serializers of the 社区报's API (names prefixed Bulletin for the schema's components)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.bulletin.models import Article, Issue, IssueEvent


class BulletinArticleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = [
            "id",
            "section",
            "topic",
            "position",
            "title",
            "body",
            "byline",
            "department",
            "figures",
            "table",
            "chart_svg",
            "is_edited",
        ]
        read_only_fields = fields


class BulletinEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = IssueEvent
        fields = ["id", "action", "from_state", "to_state", "article", "note", "at"]
        read_only_fields = fields


class BulletinIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Issue
        fields = [
            "id",
            "number",
            "masthead",
            "publisher",
            "issue_date",
            "next_date",
            "pages",
            "period_first",
            "period_last",
            "state",
            "revision",
            "compiled_at",
            "published_at",
        ]
        read_only_fields = fields


class BulletinIssueDetailSerializer(BulletinIssueSerializer):
    articles = BulletinArticleSerializer(many=True, read_only=True)

    class Meta(BulletinIssueSerializer.Meta):
        fields = [*BulletinIssueSerializer.Meta.fields, "articles"]
        read_only_fields = fields


class BulletinCompileSerializer(serializers.Serializer):
    number = serializers.IntegerField(label=_("期号"), min_value=1, max_value=99999)
    issue_date = serializers.DateField(label=_("出版日期"))
    next_date = serializers.DateField(label=_("下期出版日期"), required=False, allow_null=True)
    period_first = serializers.DateField(label=_("数据起始日"))
    period_last = serializers.DateField(label=_("数据截止日"))
    pages = serializers.IntegerField(label=_("版数"), min_value=1, max_value=32, default=4)


class BulletinArticleEditSerializer(serializers.Serializer):
    title = serializers.CharField(label=_("标题"), max_length=100)
    body = serializers.CharField(label=_("正文"), max_length=5000)
    byline = serializers.CharField(label=_("署名"), max_length=50, required=False, allow_blank=True)
    department = serializers.CharField(
        label=_("供稿部门"), max_length=50, required=False, allow_blank=True
    )


class BulletinNoteSerializer(serializers.Serializer):
    note = serializers.CharField(label=_("说明"), max_length=300, required=False, allow_blank=True)
