"""The shop roll as the API gives it: operators' phones masked (full only through `reveal`,
logged), each block with its freshness; input bodies are checked here and handed to the
services, which do every write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civicgrid.shops import services
from civicgrid.shops.choices import Freshness, ShopState, Trade
from civicgrid.shops.models import Association, Block, Inspection, InspectionItem, Shop


class BlockSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name", read_only=True)
    community_code = serializers.CharField(source="community.code", read_only=True)
    area = serializers.CharField(
        source="community.parent.name", read_only=True, default=None, help_text=_("片区")
    )
    responsible = serializers.SerializerMethodField()
    deputy = serializers.SerializerMethodField()
    freshness = serializers.SerializerMethodField(
        help_text=_("fresh 已更新、yellow 临期、red 超期")
    )
    shops = serializers.IntegerField(source="shop_count", read_only=True, help_text=_("在册商铺数"))

    class Meta:
        model = Block
        fields = [
            "id",
            "code",
            "name",
            "community",
            "community_code",
            "area",
            "geometry",
            "responsible",
            "deputy",
            "is_active",
            "shops",
            "freshness",
        ]

    def _name(self, user):
        return (user.get_full_name() or user.username) if user else None

    def get_responsible(self, obj) -> str:
        return self._name(obj.responsible)

    def get_deputy(self, obj) -> str | None:
        return self._name(obj.deputy)

    def get_freshness(self, obj) -> str:
        states = self.context.get("freshness")
        if states is None or obj.pk not in states:
            states = services.freshness([obj])
        return Freshness(states[obj.pk]).value


class ShopSerializer(serializers.ModelSerializer):
    block_code = serializers.CharField(source="block.code", read_only=True)
    association_name = serializers.CharField(
        source="association.name", read_only=True, default=None, allow_null=True
    )
    operator_phone = serializers.SerializerMethodField(help_text=_("已脱敏；完整号码见 reveal"))
    last_confirmed_by = serializers.SerializerMethodField()

    class Meta:
        model = Shop
        fields = [
            "id",
            "sign_name",
            "block",
            "block_code",
            "address",
            "lon",
            "lat",
            "credit_code",
            "trade",
            "operator_name",
            "operator_phone",
            "state",
            "association",
            "association_name",
            "agreement_date",
            "in_roll",
            "registered_at",
            "last_confirmed_at",
            "last_confirmed_by",
        ]
        read_only_fields = fields

    def get_operator_phone(self, obj) -> str:
        return services.masked_phone(obj)

    def get_last_confirmed_by(self, obj) -> str | None:
        user = obj.last_confirmed_by
        return (user.get_full_name() or user.username) if user else None


class ShopCreateSerializer(serializers.Serializer):
    block = serializers.IntegerField(help_text=_("区块编号（id）"))
    sign_name = serializers.CharField(max_length=100)
    address = serializers.CharField(max_length=200)
    trade = serializers.ChoiceField(choices=Trade.choices)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    credit_code = serializers.CharField(required=False, allow_blank=True, max_length=40)
    operator_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    operator_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    state = serializers.ChoiceField(choices=ShopState.choices, default=ShopState.OPEN)
    association = serializers.IntegerField(required=False, allow_null=True)
    agreement_date = serializers.DateField(required=False, allow_null=True)


class ConfirmSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=ShopState.choices, required=False, help_text=_("有变化时填写新状态")
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class StateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ShopState.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, help_text=_("注销原因"))


class ShopEventAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    at = serializers.DateTimeField()


class RevealedOperatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    operator_name = serializers.CharField()
    operator_phone = serializers.CharField()


class AssociationSerializer(serializers.ModelSerializer):
    head = serializers.CharField(source="head.sign_name", default=None, allow_null=True)
    members = serializers.IntegerField(source="member_count", read_only=True)

    class Meta:
        model = Association
        fields = [
            "id",
            "name",
            "head",
            "members",
            "convention",
            "convention_adopted_on",
            "founded_on",
        ]


class InspectionItemSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name")

    class Meta:
        model = InspectionItem
        fields = ["id", "name", "description", "category", "order"]


class ResultSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    item_name = serializers.CharField(source="item.name", read_only=True)
    passed = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    case = serializers.CharField(
        source="case.number", read_only=True, default=None, allow_null=True
    )

    def to_representation(self, instance):
        return {
            "item": instance.item_id,
            "item_name": instance.item.name,
            "passed": instance.passed,
            "note": instance.note,
            "case": instance.case.number if instance.case_id else None,
        }


class InspectionSerializer(serializers.ModelSerializer):
    shop_name = serializers.CharField(source="shop.sign_name", read_only=True)
    results = ResultSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "shop",
            "shop_name",
            "inspected_at",
            "passed",
            "note",
            "reinspection_of",
            "reinspect_by",
            "results",
        ]
        read_only_fields = fields


class InspectionCreateSerializer(serializers.Serializer):
    shop = serializers.IntegerField()
    results = ResultSerializer(many=True, help_text=_("每个检查项：合格与否；不合格须写明情况"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    reinspection_of = serializers.IntegerField(required=False, allow_null=True)


class CountSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class ReportSerializer(serializers.Serializer):
    """Freshness (fresh blocks ÷ blocks), shops by state/trade/association, 门责 pass rate by
    month, last month's grades and repeat offenders, over the reader's scope."""

    freshness = serializers.DictField()
    freshness_trend = serializers.ListField(child=serializers.DictField())
    shops = serializers.IntegerField()
    by_state = CountSerializer(many=True)
    by_trade = CountSerializer(many=True)
    by_association = serializers.ListField(child=serializers.DictField())
    unaffiliated = serializers.IntegerField()
    pass_rates = serializers.ListField(child=serializers.DictField())
    grades_month = serializers.CharField()
    grades = serializers.DictField(child=serializers.IntegerField())
    repeat_offenders = serializers.ListField(child=serializers.DictField())
