"""The notices' API shapes. Names carry the app's prefix (drf-spectacular components)."""

from rest_framework import serializers

from civicgrid.notices.models import (
    HonourEntry,
    Notice,
    NoticeVersion,
    Objection,
    Relocation,
    RelocationHousehold,
)


class NoticesVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticeVersion
        fields = ["number", "title", "body", "correction_note", "published_at"]


class NoticesHonourEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = HonourEntry
        fields = ["position", "name", "citation"]


class NoticesObjectionSerializer(serializers.ModelSerializer):
    answer = serializers.SerializerMethodField()

    class Meta:
        model = Objection
        fields = ["id", "version", "text", "created_at", "answer"]

    def get_answer(self, objection) -> str | None:
        answer = getattr(objection, "answer", None)
        return answer.text if answer else None


class NoticesNoticeSerializer(serializers.ModelSerializer):
    grid_name = serializers.CharField(source="grid.name", read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "scope_level",
            "grid",
            "grid_name",
            "estate",
            "relocation",
            "audience",
            "title",
            "body",
            "department_name",
            "state",
            "version",
            "objection_days",
            "publish_at",
            "published_at",
            "objection_until",
            "expires_at",
            "withdraw_reason",
            "source",
        ]


class NoticesNoticeDetailSerializer(NoticesNoticeSerializer):
    versions = NoticesVersionSerializer(many=True, read_only=True)
    entries = NoticesHonourEntrySerializer(many=True, read_only=True)
    objections = NoticesObjectionSerializer(many=True, read_only=True)

    class Meta(NoticesNoticeSerializer.Meta):
        fields = [*NoticesNoticeSerializer.Meta.fields, "versions", "entries", "objections"]


class NoticesDraftSerializer(serializers.Serializer):
    kind = serializers.CharField()
    scope_level = serializers.CharField()
    grid = serializers.IntegerField(required=False)
    audience = serializers.CharField(required=False, default="public")
    households = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=500
    )
    title = serializers.CharField(allow_blank=True, max_length=400)
    body = serializers.CharField(allow_blank=True, max_length=40000)
    department_name = serializers.CharField(allow_blank=True, max_length=200)
    objection_days = serializers.IntegerField(required=False, allow_null=True)


class NoticesPublishSerializer(serializers.Serializer):
    publish_at = serializers.DateTimeField(required=False, allow_null=True)


class NoticesTextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=4000)


class NoticesReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=1000)


class NoticesAnswerSerializer(serializers.Serializer):
    objection = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True, max_length=4000)


class NoticesOwnHouseholdSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="household.address.normalized", read_only=True)

    class Meta:
        model = RelocationHousehold
        fields = ["id", "address", "recognised_area", "valuation", "status", "signed_on"]


class NoticesRelocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Relocation
        fields = ["id", "name", "community", "headquarters", "starts_on"]


class NoticesFiguresSerializer(serializers.Serializer):
    households = serializers.IntegerField()
    signed = serializers.IntegerField()
    pending = serializers.IntegerField()
    rate = serializers.FloatField()
    cleared = serializers.BooleanField()


class NoticesMyRelocationSerializer(serializers.Serializer):
    relocation = NoticesRelocationSerializer()
    figures = NoticesFiguresSerializer()
    own = NoticesOwnHouseholdSerializer(many=True)
