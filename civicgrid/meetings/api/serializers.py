"""The 三会 as the API gives them; input bodies are checked here and handed to the services,
which do every write. The sign-in code is not given out: the meeting's page shows it as a QR."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from civicgrid.accounts.models import Department
from civicgrid.cases.models import Category
from civicgrid.estates.models import Estate, PropertyCompany
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.meetings import subjects
from civicgrid.meetings.choices import (
    Ballot,
    BodyKind,
    Decision,
    MeetingKind,
    Part,
    Stance,
    TraineePost,
)
from civicgrid.meetings.models import (
    AgreedAction,
    EvaluationScore,
    Meeting,
    Minutes,
    Opinion,
    Participant,
    Rectification,
    TrainingRecord,
)


class MeetingSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    estate_name = serializers.CharField(
        source="estate.name", read_only=True, default=None, allow_null=True
    )
    subject_type = serializers.SerializerMethodField()
    participants_count = serializers.IntegerField(read_only=True)
    present_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "kind_label",
            "community",
            "community_name",
            "estate",
            "estate_name",
            "title",
            "subject_type",
            "subject_id",
            "subject_title",
            "state",
            "state_label",
            "starts_at",
            "place",
            "chair_name",
            "notice_days",
            "noticed_at",
            "held_at",
            "quorum_percent",
            "pass_percent",
            "decision",
            "outcome",
            "published_at",
            "follow_up",
            "participants_count",
            "present_count",
        ]

    def get_subject_type(self, obj) -> str | None:
        kind = obj.subject_type
        return f"{kind.app_label}.{kind.model}" if kind else None


class ParticipantSerializer(serializers.ModelSerializer):
    part_label = serializers.CharField(source="get_part_display", read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            "part",
            "part_label",
            "name",
            "organisation",
            "signed_in_at",
            "sign_in_method",
        ]


class OpinionSerializer(serializers.ModelSerializer):
    speaker = serializers.CharField(source="participant.name", read_only=True)

    class Meta:
        model = Opinion
        fields = ["id", "participant", "speaker", "stance", "text", "at"]


class TallySerializer(serializers.Serializer):
    motion = serializers.IntegerField()
    title = serializers.CharField()
    representatives = serializers.IntegerField()
    present = serializers.IntegerField()
    quorum_met = serializers.BooleanField()
    votes_for = serializers.IntegerField()
    against = serializers.IntegerField()
    abstain = serializers.IntegerField()
    not_voted = serializers.IntegerField()
    passed = serializers.BooleanField()


class MinutesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Minutes
        fields = ["id", "version", "text", "corrects", "correction_reason", "signed_at"]


class AgreedActionSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(
        source="case.number", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = AgreedAction
        fields = ["id", "text", "owner", "due_on", "done_at", "case", "case_number"]


class RectificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rectification
        fields = ["id", "score", "request", "answer", "answered_at", "answered_meeting"]


class EvaluationScoreSerializer(serializers.ModelSerializer):
    rating = serializers.CharField(read_only=True)
    rectifications = RectificationSerializer(many=True, read_only=True)

    class Meta:
        model = EvaluationScore
        fields = [
            "id",
            "body_kind",
            "department",
            "property_company",
            "body_name",
            "item",
            "satisfied",
            "fairly",
            "dissatisfied",
            "rating",
            "rectifications",
        ]


class MeetingDetailSerializer(MeetingSerializer):
    participants = ParticipantSerializer(many=True, read_only=True)
    opinions = OpinionSerializer(many=True, read_only=True)
    minutes = MinutesSerializer(many=True, read_only=True)
    actions = AgreedActionSerializer(many=True, read_only=True)
    scores = EvaluationScoreSerializer(many=True, read_only=True)
    tallies = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [
            *MeetingSerializer.Meta.fields,
            "participants",
            "opinions",
            "tallies",
            "minutes",
            "actions",
            "scores",
        ]

    @extend_schema_field(TallySerializer(many=True))
    def get_tallies(self, obj):
        from civicgrid.meetings.services import tallies

        return [
            {"motion": motion.pk, "title": motion.title, **tally.__dict__}
            for motion, tally in tallies(obj)
        ]


# --- input bodies ---------------------------------------------------------------------------------


class PlanSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    community = serializers.PrimaryKeyRelatedField(
        queryset=Grid.objects.filter(level=GridLevel.COMMUNITY)
    )
    estate = serializers.PrimaryKeyRelatedField(
        queryset=Estate.objects.all(), required=False, allow_null=True
    )
    title = serializers.CharField(max_length=200)
    subject_title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    subject_kind = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text=_("议题对象类型，如 case、project"),
    )
    subject_id = serializers.IntegerField(required=False, allow_null=True)
    starts_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200)
    chair_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    notice_days = serializers.IntegerField(min_value=0, max_value=60, required=False)
    quorum_percent = serializers.IntegerField(min_value=1, max_value=99, required=False)
    pass_percent = serializers.IntegerField(min_value=1, max_value=99, required=False)

    def validate(self, data):
        kind, pk = data.pop("subject_kind", ""), data.pop("subject_id", None)
        data["subject"] = None
        if kind:
            user = self.context["request"].user
            subject = subjects.find(user, kind, pk)
            if subject is None:
                raise serializers.ValidationError(
                    {"subject_id": [_("请选择议题对象，或改为只填文字。")]}
                )
            data["subject"] = subject
            if not (data.get("subject_title") or "").strip():
                data["subject_title"] = subjects.text_of(kind, subject)[:200]
        return data


class MeetingReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class MeetingTextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000)


class MeetingCorrectionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000)
    reason = serializers.CharField(max_length=300)


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=5000)
    decision = serializers.ChoiceField(choices=Decision.choices, required=False, allow_blank=True)


class ParticipantCreateSerializer(serializers.Serializer):
    part = serializers.ChoiceField(choices=Part.choices)
    name = serializers.CharField(max_length=50)
    organisation = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ParticipantRefSerializer(serializers.Serializer):
    participant = serializers.IntegerField()


class OpinionCreateSerializer(serializers.Serializer):
    participant = serializers.IntegerField()
    stance = serializers.ChoiceField(choices=Stance.choices)
    text = serializers.CharField(max_length=5000)


class MotionSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)


class VotesSerializer(serializers.Serializer):
    motion = serializers.IntegerField()
    ballots = serializers.DictField(child=serializers.ChoiceField(choices=Ballot.choices))


class ActionCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300)
    owner = serializers.CharField(max_length=100)
    due_on = serializers.DateField()


class OpenCaseSerializer(serializers.Serializer):
    action = serializers.IntegerField()
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())


class ScoreCreateSerializer(serializers.Serializer):
    body_kind = serializers.ChoiceField(choices=BodyKind.choices)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    property_company = serializers.PrimaryKeyRelatedField(
        queryset=PropertyCompany.objects.all(), required=False, allow_null=True
    )
    body_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    item = serializers.CharField(max_length=100)
    satisfied = serializers.IntegerField(min_value=0, max_value=10000)
    fairly = serializers.IntegerField(min_value=0, max_value=10000)
    dissatisfied = serializers.IntegerField(min_value=0, max_value=10000)


class SignInSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)


class TrainingSerializer(serializers.ModelSerializer):
    trainee_name = serializers.SerializerMethodField()
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "trainee",
            "trainee_name",
            "community",
            "community_name",
            "post",
            "course",
            "trained_on",
            "passed",
        ]
        read_only_fields = ["community"]

    def get_trainee_name(self, obj) -> str:
        return obj.trainee.get_full_name() or obj.trainee.username


class TrainingCreateSerializer(serializers.Serializer):
    trainee = serializers.IntegerField()
    post = serializers.ChoiceField(choices=TraineePost.choices)
    course = serializers.CharField(max_length=100)
    trained_on = serializers.DateField()
    passed = serializers.BooleanField()


class CoverageSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    community_name = serializers.CharField()
    staff = serializers.IntegerField()
    trained = serializers.IntegerField()
    ratio = serializers.FloatField(allow_null=True)


class EvaluationFigureSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    satisfied = serializers.IntegerField()
    fairly = serializers.IntegerField()
    dissatisfied = serializers.IntegerField()
    meetings = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
