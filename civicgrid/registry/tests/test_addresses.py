import pytest

from civicgrid.registry.addresses import (
    AddressParseError,
    AddressParts,
    chinese_to_int,
    normalize_parts,
    parse_address,
)
from civicgrid.registry.models import Address
from civicgrid.registry.services import find_or_create_address

CANONICAL = "祁连山南路2891弄12号301室"


@pytest.mark.parametrize(
    "text",
    [
        "祁连山南路2891弄12号301室",
        "祁连山南路２８９１弄１２號３０１室",  # full-width digits, 號
        "祁连山南路 2891 弄 12 号 301 室",  # spaces
        "祁连山南路2891弄12号301",  # 室 missing
        "祁连山南路二八九一弄十二号301室",  # Chinese numerals read digit by digit
        "祁连山南路两千八百九十一弄十二号三零一室",
        "上海市浦东新区祁连山南路2891弄12号301室",  # city and district prefixes
        "祁连山南路2891衖12#301",
    ],
)
def test_variants_normalise_to_one_form(text):
    assert parse_address(text).normalized == CANONICAL


@pytest.mark.parametrize("variant", ["3幢", "3栋", "3号楼", "３座", "三号楼"])
def test_building_variants(variant):
    parts = parse_address(f"古美路100弄{variant}402室")
    assert parts == AddressParts(road="古美路", lane="100", building="3", room="402")
    assert parts.normalized == "古美路100弄3幢402室"


def test_numerals_inside_road_names_are_kept():
    parts = parse_address("中山北一路一千二百号")
    assert parts.road == "中山北一路"
    assert parts.number == "1200"


def test_chinese_numerals():
    assert chinese_to_int("十二") == 12
    assert chinese_to_int("一百零五") == 105
    assert chinese_to_int("二八九一") == 2891
    assert chinese_to_int("二三十") is None  # not a number: left alone
    assert chinese_to_int("路") is None


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "地址为空"),
        ("祁连山南路", "缺少门牌号"),
        ("祁连山南路2891弄", "缺少门牌号"),
        ("2891弄12号301室", "缺少路名"),
        ("祁连山南路12号3单元301室", "无法识别"),
    ],
)
def test_unparseable_addresses_raise_chinese_errors(text, fragment):
    with pytest.raises(AddressParseError) as exc:
        parse_address(text)
    assert fragment in exc.value.messages[0]


def test_normalize_parts_cleans_each_part():
    assert normalize_parts("祁连山南路", "２８９１弄", "十二", "", "301室") == CANONICAL


def test_find_or_create_address_gives_one_record(tree):
    bg = tree["building_groups"][0]
    first, created = find_or_create_address(CANONICAL, bg)
    assert created
    assert first.micro_grid == tree["micro_grids"][0]
    for text in ["祁连山南路２８９１弄１２號 301", "祁连山南路二八九一弄十二号301室"]:
        again, created = find_or_create_address(text, bg)
        assert (again.pk, created) == (first.pk, False)
    same, created = find_or_create_address(
        AddressParts(road="祁连山南路", lane="2891", number="12", room="301"), bg
    )
    assert same.pk == first.pk and not created
    assert Address.objects.count() == 1


def test_address_in_another_building_group_is_refused(tree):
    from django.core.exceptions import ValidationError

    find_or_create_address(CANONICAL, tree["building_groups"][0])
    with pytest.raises(ValidationError) as exc:
        find_or_create_address(CANONICAL, tree["building_groups"][1])
    assert "已登记在楼组" in str(exc.value)
    assert Address.objects.count() == 1


def test_build_address_for_bulk_create(tree):
    from civicgrid.registry.services import build_address

    bg = tree["building_groups"][3]
    Address.objects.bulk_create(
        [
            build_address("古美路100弄3号楼402", bg),
            build_address({"road": "古美路", "number": "五"}, bg),
        ]
    )
    saved = Address.objects.get(normalized="古美路100弄3幢402室")
    assert saved.micro_grid_id == bg.parent_id and saved.building == "3"
    again, created = find_or_create_address("古美路5号", bg)
    assert not created and again.road == "古美路"
