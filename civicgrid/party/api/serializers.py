from rest_framework import serializers

from civicgrid.core.masking import mask_phone
from civicgrid.party.choices import (
    AssignmentKind,
    LifeKind,
    OrgLevel,
    PointKind,
    PointTier,
    Sector,
    Venue,
    WorkStatus,
)
from civicgrid.party.models import (
    Assignment,
    CoBuilding,
    LifeMeeting,
    Member,
    Organisation,
    ServicePoint,
    StarRating,
)


class PartyOrganisationSerializer(serializers.ModelSerializer):
    grid_name = serializers.CharField(source="grid.display_name", default="", read_only=True)
    secretary_name = serializers.CharField(source="secretary.name", default="", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "level",
            "sector",
            "parent",
            "grid",
            "grid_name",
            "secretary",
            "secretary_name",
            "started_on",
            "ended_on",
            "note",
        ]


class PartyOrganisationInputSerializer(serializers.Serializer):
    """What a new organisation needs; the service checks the rest (levels, the one-organisation
    rule, the grid) and answers 400 with the field's message."""

    name = serializers.CharField(max_length=120)
    short_name = serializers.CharField(max_length=60)
    level = serializers.ChoiceField(choices=OrgLevel.choices)
    sector = serializers.ChoiceField(choices=Sector.choices)
    parent = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    grid = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    started_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PartyMemberSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "phone",
            "organisation",
            "work_status",
            "dual_report_community",
            "dual_report_on",
            "is_active",
        ]

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)


class PartyLifeSerializer(serializers.ModelSerializer):
    class Meta:
        model = LifeMeeting
        fields = [
            "id",
            "organisation",
            "kind",
            "held_on",
            "topic",
            "expected",
            "attended",
            "venue",
            "main_session",
        ]


class PartyLifeInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=LifeKind.choices)
    held_on = serializers.DateField()
    topic = serializers.CharField(max_length=120)
    expected = serializers.IntegerField(min_value=1, max_value=10000)
    attended = serializers.IntegerField(min_value=0, max_value=10000)
    venue = serializers.ChoiceField(choices=Venue.choices, required=False)
    main_session = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class PartyRatingSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = StarRating
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "year",
            "stars",
            "awarded_by",
            "score",
            "criteria",
            "awarded_on",
        ]


class PartyServicePointSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServicePoint
        fields = ["id", "name", "tier", "kind", "address", "hours", "services", "lat", "lng"]


class PartyCoBuildingSerializer(serializers.ModelSerializer):
    class Meta:
        model = CoBuilding
        fields = [
            "id",
            "title",
            "organisation",
            "partners",
            "signed_on",
            "working_group",
            "projects",
        ]


class PartyCoverageRowSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    community_name = serializers.CharField()
    micro_grids = serializers.IntegerField()
    covered = serializers.IntegerField()
    uncovered = serializers.ListField(child=serializers.IntegerField())
    mismatched = serializers.IntegerField()


class PartyCoverageSerializer(serializers.Serializer):
    micro_grids = serializers.IntegerField()
    covered = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    uncovered = serializers.ListField(child=serializers.IntegerField())
    head_mismatch = serializers.ListField(child=serializers.IntegerField())
    head_rule = serializers.CharField()
    by_community = PartyCoverageRowSerializer(many=True)


class PartyCompletionRowSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    name = serializers.CharField()
    met = serializers.IntegerField()
    due = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    kinds = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))


class PartyOrganisationUpdateSerializer(PartyOrganisationInputSerializer):
    """A change of an organisation: its particulars and (optionally) its head, a member of it or
    of its parent (the 网格长 rule checked)."""

    secretary = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class PartyMemberInputSerializer(serializers.Serializer):
    """A member registered (organisation required) or changed (a blank phone keeps the old)."""

    organisation = serializers.IntegerField(min_value=1, required=False)
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    work_status = serializers.ChoiceField(choices=WorkStatus.choices, required=False)
    work_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)
    dual_report_community = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    dual_report_on = serializers.DateField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class PartyAssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assignment
        fields = ["id", "member", "kind", "grid", "detail", "started_on", "ended_on", "end_reason"]


class PartyAssignmentEndSerializer(serializers.Serializer):
    post = serializers.IntegerField(min_value=1)
    ended_on = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class PartyAssignmentInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AssignmentKind.choices)
    grid = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    detail = serializers.CharField(max_length=100, required=False, allow_blank=True)
    started_on = serializers.DateField()


class PartyRatingInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    stars = serializers.IntegerField(min_value=1, max_value=5)
    awarded_by = serializers.CharField(max_length=100)
    score = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True
    )
    criteria = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    awarded_on = serializers.DateField()


class PartyRatingUpdateSerializer(PartyRatingInputSerializer):
    """A correction sends every particular but the organisation (another organisation is
    another rating)."""

    organisation = None


class PartyCoBuildingInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1, required=False)
    title = serializers.CharField(max_length=120)
    partners = serializers.ListField(child=serializers.CharField(max_length=100), max_length=200)
    signed_on = serializers.DateField()
    working_group = serializers.CharField(max_length=100, required=False, allow_blank=True)
    projects = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=200, required=False
    )


class PartyServicePointStaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServicePoint
        fields = [
            "id",
            "name",
            "tier",
            "kind",
            "organisation",
            "grid",
            "address",
            "hours",
            "services",
            "lat",
            "lng",
            "is_active",
        ]


class PartyServicePointInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    tier = serializers.ChoiceField(choices=PointTier.choices)
    kind = serializers.ChoiceField(choices=PointKind.choices, required=False)
    organisation = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    grid = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    address = serializers.CharField(max_length=200)
    hours = serializers.CharField(max_length=100)
    services = serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=30, required=False
    )
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    is_active = serializers.BooleanField(required=False, default=True)
