"""Community projects as the API gives them: no personal data (the proposer and the supporters
are not shown; a project shows how many residents support it). Input bodies are checked here and
handed to the services, which do every write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.projects.choices import (
    CampaignLevel,
    FocusArea,
    HomeKind,
    PhotoStage,
    ProjectKind,
)
from civicgrid.projects.models import (
    Campaign,
    Deliverable,
    Idea,
    Milestone,
    Project,
    ScoringTemplate,
)


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
    lead_party_organisation_name = serializers.CharField(
        source="lead_party_organisation", read_only=True, default=None, allow_null=True
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
            "lead_party_organisation",
            "lead_party_organisation_name",
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


class ProjectCampaignWriteSerializer(serializers.Serializer):
    """A campaign to open or edit (项目征集); the service checks dates, quota and template."""

    name = serializers.CharField(max_length=100)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    level = serializers.ChoiceField(choices=CampaignLevel.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    focus_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=FocusArea.choices), required=False, max_length=3
    )
    quota = serializers.IntegerField(min_value=1, max_value=100, required=False, default=8)
    template = serializers.PrimaryKeyRelatedField(
        queryset=ScoringTemplate.objects.all(), required=False, allow_null=True
    )
    hearing_required = serializers.BooleanField(required=False, default=True)


class ProjectDeliverableInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=50)
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2)
    unit = serializers.CharField(max_length=10)


class CommunityProjectWriteSerializer(serializers.Serializer):
    """A proposal to enter (every field) or a project's edit (PATCH: the fields given). `cases`
    are case numbers the writer may see; `deliverables` replace the project's when given."""

    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all())
    title = serializers.CharField(max_length=100)
    community = serializers.IntegerField()
    estate = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=ProjectKind.choices)
    home_kind = serializers.ChoiceField(choices=HomeKind.choices, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    cases = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, max_length=50
    )
    hotspots = serializers.CharField(required=False, allow_blank=True, max_length=200)
    lead_party_organisation = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text=_("牵头党组织（党组织名册编号）")
    )
    lead_organisation = serializers.CharField(required=False, allow_blank=True, max_length=100)
    partners = serializers.CharField(required=False, allow_blank=True, max_length=200)
    budget = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    funding = serializers.CharField(required=False, allow_blank=True, max_length=100)
    maintainer = serializers.CharField(required=False, allow_blank=True, max_length=100)
    deliverables = ProjectDeliverableInputSerializer(many=True, required=False, max_length=100)


class ProjectMilestoneDateSerializer(serializers.Serializer):
    milestone = serializers.IntegerField(help_text=_("节点编号"))
    on = serializers.DateField(help_text=_("计划完成日期或完成日期"))


class ProjectPhotosSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=PhotoStage.choices)
    photos = serializers.ListField(child=serializers.FileField(), max_length=10)


class ProjectPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ProjectIdeaSerializer(serializers.ModelSerializer):
    """A resident's idea as the desk sees it: no account (the resident is not named)."""

    community_name = serializers.CharField(source="community.name", read_only=True)
    status = serializers.SerializerMethodField()
    project = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    class Meta:
        model = Idea
        fields = [
            "id",
            "campaign",
            "community",
            "community_name",
            "text",
            "created_at",
            "status",
            "project",
            "reason",
        ]

    def _decision(self, obj):
        return getattr(obj, "decision", None)

    def get_status(self, obj) -> str:
        decision = self._decision(obj)
        if decision is None:
            return "open"
        return "accepted" if decision.accepted else "declined"

    def get_project(self, obj) -> int | None:
        decision = self._decision(obj)
        return decision.project_id if decision is not None else None

    def get_reason(self, obj) -> str:
        decision = self._decision(obj)
        return decision.reason if decision is not None else ""


class ProjectIdeaAcceptSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=ProjectKind.choices)


class ProjectIdeaDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
