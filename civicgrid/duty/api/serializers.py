from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.duty.choices import DutyRole
from civicgrid.duty.models import DutyShift, Liaison, Supervision


class DutyShiftSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()

    class Meta:
        model = DutyShift
        fields = ["id", "role", "user", "username", "name", "starts_at", "ends_at", "note"]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return obj.user.get_full_name() or obj.user.username


class DutyShiftInputSerializer(serializers.Serializer):
    """A new shift; the roster's rules are duty.services.check_shift."""

    role = serializers.ChoiceField(choices=DutyRole.choices)
    user = serializers.IntegerField(help_text=_("值班人员（用户 id）"))
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class OnDutySerializer(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField()
    users = DutyShiftSerializer(many=True)


class SupervisionSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.number", read_only=True)
    by = serializers.CharField(source="by.username", read_only=True)
    answered_by = serializers.CharField(
        source="answered_by.username", read_only=True, default=None, allow_null=True
    )
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Supervision
        fields = [
            "id",
            "case",
            "by",
            "instruction",
            "deadline",
            "status",
            "created_at",
            "answer",
            "answered_at",
            "answered_by",
            "is_overdue",
        ]
        read_only_fields = fields


class SupervisionInputSerializer(serializers.Serializer):
    """督办 a case: its number, the instruction and the deadline (duty.services.do_supervise)."""

    case = serializers.CharField(max_length=32, help_text=_("案件编号"))
    instruction = serializers.CharField(max_length=1000)
    deadline = serializers.DateTimeField()


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=1000)


class LiaisonSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()
    department = serializers.CharField(
        source="user.department.name", read_only=True, default=None, allow_null=True
    )
    community_code = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = Liaison
        fields = [
            "id",
            "user",
            "username",
            "name",
            "department",
            "community",
            "community_code",
            "community_name",
            "since",
        ]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return obj.user.get_full_name() or obj.user.username
