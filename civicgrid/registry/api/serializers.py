"""Registry serializers: personal data goes in raw and comes out masked (registry.pii)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from civicgrid.core.masking import birth_year, mask_id_number, mask_phone
from civicgrid.registry import services
from civicgrid.registry.addresses import AddressParts
from civicgrid.registry.choices import CareTag, PiiField
from civicgrid.registry.models import Address, Household, RentalRegistration, Resident


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class AddressSerializer(serializers.ModelSerializer):
    text = serializers.CharField(
        write_only=True,
        required=False,
        help_text=_("整条地址，如“祁连山南路2891弄12号301室”；填写后忽略分项"),
    )
    building_group = serializers.SlugRelatedField(
        slug_field="code", queryset=services.visible_building_groups(None)
    )
    building_group_name = serializers.CharField(source="building_group.name", read_only=True)
    micro_grid = serializers.CharField(source="micro_grid.code", read_only=True)
    estate = serializers.IntegerField(source="estate_id", read_only=True, allow_null=True)
    estate_name = serializers.CharField(source="estate.name", read_only=True, default="")

    class Meta:
        model = Address
        fields = [
            "id",
            "text",
            "road",
            "lane",
            "number",
            "building",
            "room",
            "normalized",
            "building_group",
            "building_group_name",
            "micro_grid",
            "estate",
            "estate_name",
            "lon",
            "lat",
        ]
        read_only_fields = ["normalized"]
        extra_kwargs = {"road": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            # Only building groups in the user's scope can be chosen.
            self.fields["building_group"].queryset = services.visible_building_groups(user)

    def validate(self, attrs):
        if not attrs.get("text") and not attrs.get("road") and self.instance is None:
            raise serializers.ValidationError({"text": _("请填写整条地址或路名等分项")})
        return attrs

    def create(self, validated_data):
        text = validated_data.pop("text", "")
        source = text or AddressParts(
            **{k: validated_data.get(k, "") for k in ("road", "lane", "number", "building", "room")}
        )
        address, created = services.find_or_create_address(
            source, validated_data["building_group"], user=_user(self)
        )
        if not created:
            raise serializers.ValidationError(
                {
                    "text": _("标准地址“%(a)s”已存在（编号%(id)s）")
                    % {"a": address, "id": address.pk}
                }
            )
        for key in ("lon", "lat"):
            if key in validated_data:
                setattr(address, key, validated_data[key])
        if "lon" in validated_data or "lat" in validated_data:
            services.save_address(address, user=_user(self))
        return address

    def update(self, instance, validated_data):
        text = validated_data.pop("text", "")
        if text:
            from civicgrid.registry.addresses import parse_address

            validated_data.update(parse_address(text).as_dict())
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return services.save_address(instance, user=_user(self))


class HouseholdSerializer(serializers.ModelSerializer):
    address = serializers.PrimaryKeyRelatedField(queryset=Address.objects.all())
    address_text = serializers.CharField(source="address.normalized", read_only=True)
    tenure_display = serializers.CharField(source="get_tenure_display", read_only=True)
    use_display = serializers.CharField(source="get_use_display", read_only=True)
    estate = serializers.IntegerField(source="address.estate_id", read_only=True, allow_null=True)
    resident_count = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = [
            "id",
            "address",
            "address_text",
            "household_number",
            "tenure",
            "tenure_display",
            "use",
            "use_display",
            "estate",
            "note",
            "resident_count",
        ]

    def get_resident_count(self, household) -> int:
        # Annotated by the list's queryset; counted for a household just created or changed.
        count = getattr(household, "resident_count", None)
        return household.residents.count() if count is None else count

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["address"].queryset = services.scoped(Address, user)

    def create(self, validated_data):
        return services.save_household(Household(**validated_data), user=_user(self))

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return services.save_household(instance, user=_user(self))


class ResidentSerializer(serializers.ModelSerializer):
    """`id_number` and `phone` are accepted raw and always returned masked."""

    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.all())
    address = serializers.CharField(source="household.address.normalized", read_only=True)
    micro_grid = serializers.CharField(source="household.address.micro_grid.code", read_only=True)
    # Written in full, read back masked (to_representation): both directions carry the field.
    id_number = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text=_("写入完整号码；读出时脱敏")
    )
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text=_("写入完整号码；读出时脱敏")
    )
    # Beside a masked ID only the year is shown: the full date would narrow the hidden digits.
    birth_date = serializers.DateField(write_only=True, required=False, allow_null=True)
    birth_year = serializers.SerializerMethodField()
    care_tags = serializers.ListField(
        child=serializers.ChoiceField(choices=CareTag.choices), required=False
    )
    care_tag_labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Resident
        fields = [
            "id",
            "household",
            "address",
            "micro_grid",
            "name",
            "gender",
            "birth_date",
            "birth_year",
            "id_type",
            "id_number",
            "phone",
            "relation_to_head",
            "is_registered",
            "lives_here",
            "care_tags",
            "care_tag_labels",
        ]
        extra_kwargs = {"gender": {"required": False}}
        # One resident per document is checked by services.save_resident, which answers a clash
        # outside the user's grids without saying whose number it is (DRF's own unique-together
        # check would say "must be unique" to anyone: an oracle).
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["household"].queryset = services.scoped(Household, user)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_birth_year(self, instance) -> int | None:
        return birth_year(instance.birth_date)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["id_number"] = mask_id_number(instance.id_number)
        data["phone"] = mask_phone(instance.phone)
        return data

    def create(self, validated_data):
        return services.save_resident(Resident(**validated_data), user=_user(self))

    def update(self, instance, validated_data):
        for key, value in validated_data.items():
            setattr(instance, key, value)
        return services.save_resident(instance, user=_user(self))


class RentalSerializer(serializers.ModelSerializer):
    """租赁登记: the landlord's phone is written in full and read back masked."""

    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.all())
    address = serializers.CharField(source="household.address.normalized", read_only=True)
    landlord = serializers.PrimaryKeyRelatedField(
        queryset=Resident.objects.all(), required=False, allow_null=True
    )
    landlord_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text=_("写入完整号码；读出时脱敏")
    )
    tenants = serializers.PrimaryKeyRelatedField(
        queryset=Resident.objects.all(), many=True, required=False
    )

    class Meta:
        model = RentalRegistration
        fields = [
            "id",
            "household",
            "address",
            "landlord",
            "landlord_name",
            "landlord_phone",
            "tenants",
            "start_date",
            "end_date",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["household"].queryset = services.scoped(Household, user)
            residents = services.scoped(Resident, user)
            self.fields["landlord"].queryset = residents
            self.fields["tenants"].child_relation.queryset = residents

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["landlord_phone"] = mask_phone(instance.landlord_phone)
        return data

    def create(self, validated_data):
        household = validated_data.pop("household")
        return services.do_register_rental(household, user=_user(self), **validated_data)


class RevealSerializer(serializers.Serializer):
    which = serializers.ListField(
        child=serializers.ChoiceField(choices=PiiField.choices),
        required=False,
        help_text=_("要查看的字段（id_number、phone），默认两项都看"),
    )


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_(".xlsx 或 .csv，表头见导入模板"))
    dry_run = serializers.BooleanField(default=False, help_text=_("只检查，不保存"))


class FiguresSerializer(serializers.Serializer):
    """The 001-style figures of one grid node (or one row of the table)."""

    grid = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    level = serializers.CharField()
    households = serializers.IntegerField(help_text=_("户数"))
    registered = serializers.IntegerField(help_text=_("户籍人口"))
    living = serializers.IntegerField(help_text=_("实住人口"))
    residents = serializers.IntegerField(help_text=_("登记居民总数"))
    by_tenure = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("按房屋性质的户数")
    )
    by_use = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("按房屋用途的户数")
    )
