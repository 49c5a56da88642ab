"""Community projects as the API gives them: no personal data (the proposer and the supporters
are not shown; a project shows how many residents support it). Input bodies are checked here and
handed to the services, which do every write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.projects.models import Campaign, Deliverable, Milestone, Project


class ProjectCampaignSerializer(serializers.ModelSerializer):
    criteria = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "year",
            "level",
            "starts_on",
            "ends_on",
            "focus_areas",
            "quota",
            "hearing_required",
            "criteria",
        ]

    def get_criteria(self, obj) -> list[dict]:
        return [{"name": c.name, "max_points": c.max_points} for c in obj.template.criteria.all()]


class ProjectDeliverableSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deliverable
        fields = ["item", "quantity", "unit"]


class ProjectMilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "kind", "weight", "due_on", "done_on"]


class CommunityProjectSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    estate_name = serializers.CharField(
        source="estate.name", read_only=True, default=None, allow_null=True
    )
    deliverables = ProjectDeliverableSerializer(many=True, read_only=True)
    milestones = ProjectMilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "campaign",
            "title",
            "community",
            "community_name",
            "estate",
            "estate_name",
            "lon",
            "lat",
            "kind",
            "home_kind",
            "summary",
            "lead_organisation",
            "partners",
            "budget",
            "funding",
            "maintainer",
            "state",
            "support_count",
            "score",
            "deliverables",
            "milestones",
        ]


class ProjectScreenSerializer(serializers.Serializer):
    passed = serializers.BooleanField(help_text=_("是否通过初筛"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ProjectScoreSerializer(serializers.Serializer):
    points = serializers.DictField(
        child=serializers.IntegerField(), help_text=_('各评分项得分，如 {"创新": 12}')
    )


class ProjectHandOverSerializer(serializers.Serializer):
    maintainer = serializers.CharField(max_length=100, help_text=_("移交后管护单位"))


class ProjectsReportSerializer(serializers.Serializer):
    funnel = serializers.ListField(child=serializers.DictField())
    by_community = serializers.ListField(child=serializers.DictField())
    by_kind = serializers.ListField(child=serializers.DictField())
    budget = serializers.DecimalField(max_digits=12, decimal_places=2)
    progress = serializers.ListField(child=serializers.DictField())
    late = serializers.ListField(child=serializers.DictField())
