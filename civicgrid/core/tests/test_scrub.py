"""The personal-data scrubber: every form of phone, ID, e-mail, name and room it must mask, and
the ordinary text (case numbers, dates, amounts, building numbers, common case wording) it must
leave alone."""

import pytest

from civicgrid.core.scrub import scrub_address, scrub_text


@pytest.mark.parametrize(
    "text, expected",
    [
        # Mobile phones, every usual way of writing them.
        ("13912345678", "139****5678"),
        ("电话13912345678请回电", "电话139****5678请回电"),
        ("139 1234 5678", "139 **** 5678"),
        ("139-1234-5678", "139-****-5678"),
        ("139.1234.5678", "139.****.5678"),
        ("1 3 9 1 2 3 4 5 6 7 8", "1 3 9 * * * * 5 6 7 8"),
        ("+86 139 1234 5678", "+86 139 **** 5678"),
        ("+8613912345678", "+86139****5678"),
        ("86-13912345678", "86-139****5678"),
        ("0086 13912345678", "0086 139****5678"),
        ("１３９１２３４５６７８", "１３９****５６７８"),
        ("１３９　１２３４　５６７８", "１３９　****　５６７８"),
        ("１３９－１２３４－５６７８", "１３９－****－５６７８"),
        ("打13912345678或13800001111", "打139****5678或138****1111"),
        ("电话13912345678 13800001111", "电话139****5678 138****1111"),
        # Landlines.
        ("021-64001234", "021-****1234"),
        ("(021)6400 1234", "(021)**** 1234"),
        ("（０２１）６４００１２３４", "（０２１）****１２３４"),
        ("021 6400 1234", "021 **** 1234"),
        ("+86 21 6400 1234", "+86 21 **** 1234"),
        ("0571-8765432", "0571-***5432"),
        ("6400-1234", "****-1234"),
        ("6400 1234", "**** 1234"),
        ("座机64001234", "座机****1234"),
        ("联系电话:64001234", "联系电话:****1234"),
        # 18-digit ID numbers.
        ("310101199001011234", "31**************34"),
        ("身份证31010119900101123X", "身份证31**************3X"),
        ("31010119900101123x。", "31**************3x。"),
        ("310101 19900101 1234", "31**** ******** **34"),
        ("3101 0119 9001 0112 34", "31** **** **** **** 34"),
        ("３１０１０１１９９００１０１１２３４", "３１**************３４"),
        # E-mail addresses.
        ("wang@example.com", "w***@example.com"),
        ("邮箱zhang.san+x@mail.sh.gov.cn谢谢", "邮箱z***@mail.sh.gov.cn谢谢"),
        ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ｗ***＠ｅｘａｍｐｌｅ．ｃｏｍ"),
        ("a@b.cn", "*@b.cn"),
        # Names in common forms of address and after a label.
        ("张先生反映", "*先生反映"),
        ("李女士来电", "*女士来电"),
        ("王阿姨说楼道堆物", "*阿姨说楼道堆物"),
        ("陈师傅说井盖坏了", "*师傅说井盖坏了"),
        ("王建国先生家门口", "***先生家门口"),
        ("欧阳娜娜女士", "****女士"),
        ("找了物业的刘经理", "找了物业的*经理"),
        ("联系人:刘洋,电话13912345678", "联系人:**,电话139****5678"),
        ("联系人：刘洋，电话13912345678", "联系人：**，电话139****5678"),
        ("联系人刘洋电话13912345678", "联系人**电话139****5678"),
        ("姓名 李明华", "姓名 ***"),
        ("房东:周立波", "房东:***"),
        # Rooms: the road, estate, 弄, 号, 楼, 单元 stay; the room goes.
        ("浦东大道100弄12号302室漏水", "浦东大道100弄12号***室漏水"),
        ("5号楼1单元602", "5号楼1单元***"),
        ("302室", "***室"),
        ("B302室门口", "B***室门口"),
        ("1202房间", "****房间"),
        ("12号302", "12号***"),
        ("3楼302门口", "3楼***门口"),
        ("12栋1502有人飞线充电", "12栋****有人飞线充电"),
        ("12弄5-302", "12弄5-***"),
        ("5号楼1-602", "5号楼1-***"),
        ("１２号３０２室", "１２号***室"),
    ],
)
def test_masks(text, expected):
    assert scrub_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "案件2026112300017已办结",
        "2026112300017",
        "2026 1123 00017",
        "2026-11-23 10:30",
        "2026.11.23",
        "2026/11/23",
        "2026年11月23日上午10:30至11:30",
        "金额1500元",
        "罚款2000-3000元",
        "面积2000平方米",
        "5号楼",
        "12号",
        "浦东大道100号门口",
        "100弄",
        "3号楼2单元",
        "2室1厅",
        "小区共300户",
        "公交21路",
        "0.5米深的积水",
        "第1234号",
        "温度38.5度",
        "小区门口垃圾堆放",
        "楼道堆物",
        "飞线充电",
        "小区门口暴露垃圾两天没人清运",
        "井盖坏了",
        "文明养宠",
        "张江镇孙桥路",
        "向阳小区",
        "白莲泾公园",
        "居民高空抛物",
        "高架下面有僵尸车",
        "市民服务热线12345",
        "叶子落满地",
        "维修师傅",
        "保洁阿姨",
        "张某反映",
        "",
    ],
)
def test_leaves_ordinary_text_alone(text):
    assert scrub_text(text) == text


def test_known_names_are_masked_wherever_they_appear():
    names = ["王小明", "operator", "Ming Wang", "", "李"]
    text = "王小明说operator已处理;Ming Wang和MingWang;OPERATOR;李四;operators"
    # Single characters are not names to look for (they would mask too much).
    assert scrub_text(text, names=names) == (
        "***说********已处理;**** ****和********;********;李四;operators"
    )


def test_known_names_in_full_width_and_normalised():
    assert scrub_text("ｏｐｅｒａｔｏｒ来过", names=["operator"]) == "********来过"


def test_everything_together_keeps_the_rest_of_the_text():
    text = (
        "张先生(13912345678,zhang@qq.com)反映浦东大道100弄12号302室楼道堆物,"
        "案件2026112300017,身份证310101199001011234"
    )
    assert scrub_text(text) == (
        "*先生(139****5678,z***@qq.com)反映浦东大道100弄12号***室楼道堆物,"
        "案件2026112300017,身份证31**************34"
    )


@pytest.mark.parametrize(
    "address, expected",
    [
        ("浦东大道100弄12号302室", "浦东大道100弄12号"),
        ("5号楼1单元602", "5号楼1单元"),
        ("12弄5-302", "12弄5"),
        ("金桥路12号 302", "金桥路12号"),
        ("浦东大道100号", "浦东大道100号"),
        ("302室", ""),
        ("张先生家,浦东大道100弄12号302室", "*先生家,浦东大道100弄12号"),
        ("", ""),
    ],
)
def test_public_address_leaves_the_room_out(address, expected):
    assert scrub_address(address) == expected


def test_none_and_odd_characters():
    assert scrub_text(None) == ""
    # Control characters and non-characters pass through (the XML writer strips them).
    assert scrub_text("a\x00b\x1b\ufffe13912345678") == "a\x00b\x1b\ufffe139****5678"
    # Characters whose NFKC form is longer keep their place.
    assert scrub_text("㈱13912345678ﬁ") == "㈱139****5678ﬁ"
