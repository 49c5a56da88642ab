"""Estate serializers: writes go through estates.services; the property company's phone is
written in full and read back masked."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from civicgrid.core.masking import mask_phone
from civicgrid.estates import services
from civicgrid.estates.choices import CommitteeRole
from civicgrid.estates.models import (
    CommitteeMember,
    Estate,
    EstateAddressRange,
    OwnersCommittee,
    PropertyCompany,
)
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_grids


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class PropertyCompanySerializer(serializers.ModelSerializer):
    contact_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text=_("写入完整号码；读出时脱敏")
    )
    estate_count = serializers.SerializerMethodField(help_text=_("服务的小区数"))

    class Meta:
        model = PropertyCompany
        fields = [
            "id",
            "name",
            "credit_code",
            "contact_name",
            "contact_phone",
            "office_address",
            "estate_count",
        ]

    def get_estate_count(self, instance) -> int:
        # Annotated by the list's queryset; counted for a company just created or changed.
        count = getattr(instance, "estate_count", None)
        return instance.estates.count() if count is None else count

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["contact_phone"] = mask_phone(instance.contact_phone)
        return data

    def create(self, validated_data):
        return services.do_save_property_company(
            PropertyCompany(**validated_data), user=_user(self)
        )

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return services.do_save_property_company(instance, user=_user(self))


class AddressRangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = EstateAddressRange
        fields = ["road", "lane_from", "lane_to"]


class CommitteeMemberSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=CommitteeRole.choices, default=CommitteeRole.MEMBER)

    class Meta:
        model = CommitteeMember
        fields = ["name", "role", "is_party_member"]


class CommitteeSerializer(serializers.ModelSerializer):
    members = CommitteeMemberSerializer(many=True, required=False)

    class Meta:
        model = OwnersCommittee
        fields = ["id", "term_start", "term_end", "party_liaison", "is_red", "members"]


class EstateSerializer(serializers.ModelSerializer):
    community = serializers.SlugRelatedField(
        slug_field="code", queryset=Grid.objects.filter(level=GridLevel.COMMUNITY)
    )
    community_name = serializers.CharField(source="community.name", read_only=True)
    micro_grids = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=Grid.objects.filter(level=GridLevel.MICRO_GRID),
    )
    property_company = serializers.PrimaryKeyRelatedField(
        queryset=PropertyCompany.objects.all(), allow_null=True, required=False
    )
    property_company_name = serializers.CharField(
        source="property_company.name", read_only=True, default=""
    )
    property_company_phone = serializers.SerializerMethodField()
    address_ranges = AddressRangeSerializer(many=True, required=False)
    committee = serializers.SerializerMethodField()
    address_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Estate
        fields = [
            "id",
            "name",
            "kind",
            "estate_class",
            "community",
            "community_name",
            "micro_grids",
            "year_built",
            "is_heritage",
            "heritage_note",
            "property_company",
            "property_company_name",
            "property_company_phone",
            "address_ranges",
            "committee",
            "address_count",
        ]
        # The unique name per 居村 is checked by the service, with its own message.
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            grids = visible_grids(user)
            self.fields["community"].queryset = grids.filter(level=GridLevel.COMMUNITY)
            self.fields["micro_grids"].child_relation.queryset = grids.filter(
                level=GridLevel.MICRO_GRID
            )

    @extend_schema_field(serializers.CharField())
    def get_property_company_phone(self, instance) -> str:
        return services.masked_contact(instance.property_company)

    @extend_schema_field(CommitteeSerializer(allow_null=True))
    def get_committee(self, instance):
        committee = services.current_committee(instance, timezone.localdate())
        return CommitteeSerializer(committee).data if committee else None

    def _save(self, estate, validated_data):
        ranges = validated_data.pop("address_ranges", None)
        micro_grids = validated_data.pop("micro_grids", None)
        for key, value in validated_data.items():
            setattr(estate, key, value)
        user = _user(self)
        estate = services.do_save_estate(estate, micro_grids=micro_grids, user=user)
        if ranges is not None:
            services.do_set_address_ranges(estate, ranges, user=user)
        return estate

    def create(self, validated_data):
        return self._save(Estate(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)
