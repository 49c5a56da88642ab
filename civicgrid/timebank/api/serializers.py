from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.core.masking import mask_phone
from civicgrid.timebank.models import (
    Account,
    HelpRequest,
    Partner,
    Project,
    ServiceRecord,
    Transfer,
    Volunteer,
)


class TimebankPartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "name", "kind", "community", "is_active", "joined_on"]


class TimebankProjectSerializer(serializers.ModelSerializer):
    coordinator = serializers.CharField(source="coordinator.get_full_name", read_only=True)

    class Meta:
        model = Project
        fields = ["id", "name", "kind", "community", "coordinator", "is_active", "started_on"]


class TimebankConsentSerializer(serializers.Serializer):
    name_consent = serializers.BooleanField()
    name_consent_on = serializers.DateField(required=False, allow_null=True)


class TimebankVolunteerSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()
    team = serializers.CharField(source="team.name", default="", read_only=True)
    is_resident = serializers.SerializerMethodField()

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "name",
            "phone",
            "community",
            "team",
            "skills",
            "double_report",
            "unit",
            "joined_on",
            "is_active",
            "is_resident",
            "name_consent",
            "name_consent_on",
        ]

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)

    def get_is_resident(self, obj) -> bool:
        return obj.resident_id is not None


class TimebankRecordSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    recipient_name = serializers.CharField(source="recipient.name", default="", read_only=True)
    has_photo = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "project",
            "project_name",
            "volunteer",
            "volunteer_name",
            "recipient",
            "recipient_name",
            "activity",
            "request",
            "community",
            "started_at",
            "ended_at",
            "confirmation",
            "has_photo",
            "state",
            "credited_minutes",
            "note",
            "created_at",
        ]

    def get_has_photo(self, obj) -> bool:
        return bool(obj.photo)


class TimebankRecordCreateSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField()
    project = serializers.IntegerField()
    recipient = serializers.IntegerField(required=False, allow_null=True)
    activity = serializers.CharField(required=False, allow_blank=True, max_length=100)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    confirmation = serializers.CharField(required=False, allow_blank=True, max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    submit = serializers.BooleanField(default=True)


class TimebankNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class TimebankRequestSerializer(serializers.ModelSerializer):
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    contact_phone = serializers.SerializerMethodField()
    volunteer_name = serializers.CharField(source="volunteer.name", default="", read_only=True)

    class Meta:
        model = HelpRequest
        fields = [
            "id",
            "elder",
            "elder_name",
            "project",
            "project_name",
            "community",
            "wanted_on",
            "description",
            "contact_phone",
            "state",
            "volunteer",
            "volunteer_name",
            "created_at",
        ]

    def get_contact_phone(self, obj) -> str:
        return mask_phone(obj.contact_phone)


class TimebankRequestCreateSerializer(serializers.Serializer):
    elder = serializers.IntegerField()
    project = serializers.IntegerField()
    wanted_on = serializers.DateField()
    description = serializers.CharField(max_length=300, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)


class TimebankMatchSerializer(serializers.Serializer):
    volunteer = serializers.IntegerField()


class TimebankAccountSerializer(serializers.ModelSerializer):
    holder = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = ["id", "kind", "holder", "community", "balance", "hours"]

    def get_holder(self, obj) -> str:
        return str(obj)

    def get_hours(self, obj) -> float:
        return obj.balance / 60


class TimebankTransferSerializer(serializers.ModelSerializer):
    hours = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = ["id", "debit", "credit", "minutes", "hours", "kind", "record", "note", "at"]

    def get_hours(self, obj) -> float:
        return obj.minutes / 60


class TimebankReportSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()
    volunteers = serializers.DictField()
    projects = serializers.IntegerField()
    partners = serializers.IntegerField()
    open_requests = serializers.IntegerField()
    hours = serializers.FloatField()
    records = serializers.IntegerField()
    owed_hours = serializers.FloatField()
    holders = serializers.IntegerField()
    by_project = serializers.ListField(child=serializers.DictField())
    by_month = serializers.ListField(child=serializers.DictField())
    by_community = serializers.ListField(child=serializers.DictField())
    top = serializers.ListField(child=serializers.DictField())


class TimebankReverseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, help_text=_("冲正原因"))
