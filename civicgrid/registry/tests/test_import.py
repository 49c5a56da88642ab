"""Import from .xlsx and CSV: all row errors reported, nothing saved on error, scope enforced."""

import csv
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from civicgrid.accounts.choices import Role
from civicgrid.grids.models import Grid
from civicgrid.registry.imports import (
    TEMPLATE_COLUMNS,
    ImportFileError,
    import_residents,
    template_csv,
    template_xlsx,
)
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.testing.people import make_id

HEADERS = [h for h, *_ in TEMPLATE_COLUMNS]


# fmt: off
def rows_for(tree):
    bg1, bg2 = tree["building_groups"][0].code, tree["building_groups"][1].code
    return [
        # 姓名 性别 出生日期 证件类型 证件号码 手机号 地址 楼组编码 户号 房屋性质 房屋用途 与户主关系 户籍 实住
        # 关爱标签
        ["张三", "男", "", "居民身份证", make_id("19500101", "011"), "13912345678",
         "祁连山南路2891弄12号301室", bg1, "1", "售后公房", "出租", "户主", "是", "是", "独居老人"],
        ["李梅", "", "", "", make_id("19520202", "022"), "",
         "祁连山南路２８９１弄十二號301", bg1, "1", "", "", "配偶", "是", "否", ""],
        ["王五", "男", "1980-03-04", "护照", "E1234567", "139-0000-1111",
         "祁连山南路2891弄12号302室", bg1, "", "公房", "", "", "否", "是", "残疾人、低保"],
        ["赵六", "女", "1990/5/6", "居民身份证", make_id("19900506", "042"), "",
         "普育东路10号", bg2, "", "", "", "", "", "", ""],
    ]
# fmt: on


def as_csv(rows, headers=HEADERS, encoding="utf-8-sig"):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def as_xlsx(rows, headers=HEADERS):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def snapshot():
    return (Address.objects.count(), Household.objects.count(), Resident.objects.count())


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda r: as_csv(r), "a.csv"),
        (lambda r: as_csv(r, encoding="utf-8"), "a.csv"),
        (lambda r: as_csv(r, encoding="gbk"), "a.csv"),
        (as_xlsx, "a.xlsx"),
    ],
)
def test_import_success(tree, make, name):
    result = import_residents(make(rows_for(tree)), name)
    assert result.errors == []
    assert result.saved
    assert (result.addresses_created, result.households_created, result.residents_created) == (
        3,
        3,
        4,
    )
    assert snapshot() == (3, 3, 4)
    zhang = Resident.objects.get(name="张三")
    li = Resident.objects.get(name="李梅")
    assert zhang.household_id == li.household_id  # same address + 户号
    assert (zhang.household.tenure, zhang.household.use) == ("sold_public", "rented")
    wang_household = Resident.objects.get(name="王五").household
    assert (wang_household.tenure, wang_household.use) == ("public_rent", "owner_occupied")
    assert zhang.care_tags == ["elderly_alone"] and zhang.birth_date.isoformat() == "1950-01-01"
    assert li.gender == "F" and li.lives_here is False  # sex from the ID number's 17th digit
    wang = Resident.objects.get(name="王五")
    assert wang.id_type == "passport" and wang.phone == "13900001111"
    assert wang.care_tags == ["disabled", "low_income"] and wang.is_registered is False
    assert Grid.objects.get(pk=tree["building_groups"][0].pk).household_count == 2


def test_dry_run_saves_nothing(tree):
    result = import_residents(as_csv(rows_for(tree)), "a.csv", dry_run=True)
    assert result.errors == [] and not result.saved
    assert result.residents_created == 4
    assert snapshot() == (0, 0, 0)


def test_bad_rows_are_all_reported_and_nothing_is_saved(tree):
    rows = rows_for(tree)
    good_id = rows[0][4]
    rows[0][4] = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")  # checksum
    rows[1][6] = "祁连山南路"  # no number
    rows[1][13] = "也许"  # not 是/否
    rows[2][7] = "999999999999999999"  # unknown building group
    rows[2][14] = "独居老人、外星人"  # unknown tag
    rows[3][1] = "男"  # ID says female
    rows[3][5] = "12345"  # phone
    rows.append(
        [
            "",
            "女",
            "",
            "",
            rows[3][4],
            "",
            "普育东路11号",
            rows[3][7],
            "",
            "别墅",
            "",
            "",
            "",
            "",
            "",
        ]
    )
    result = import_residents(as_csv(rows), "a.csv")
    found = {(e.row, e.column) for e in result.errors}
    assert found >= {
        (2, "证件号码"),
        (3, "地址"),
        (3, "实住"),
        (4, "楼组编码"),
        (4, "关爱标签"),
        (5, "性别"),
        (5, "手机号"),
        (6, "姓名"),
        (6, "房屋性质"),
    }
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "校验码" in messages[(2, "证件号码")]
    assert "999999999999999999" in messages[(4, "楼组编码")]
    assert "外星人" in messages[(4, "关爱标签")]
    assert not result.saved
    assert snapshot() == (0, 0, 0)


def test_duplicates_in_file_and_in_registry(tree):
    rows = rows_for(tree)
    rows[3][4] = rows[0][4]  # same ID twice in the file (sex digit says male: fix the gender)
    rows[3][1] = "男"
    rows[3][2] = ""
    result = import_residents(as_csv(rows), "a.csv")
    assert [(e.row, e.column) for e in result.errors] == [(5, "证件号码")]
    assert "第2行重复" in result.errors[0].message
    assert snapshot() == (0, 0, 0)

    assert import_residents(as_csv(rows_for(tree)[:1]), "a.csv").saved
    result = import_residents(as_csv(rows_for(tree)), "a.csv")
    assert [(e.row, e.column) for e in result.errors] == [(2, "证件号码")]
    assert "已在人口库中登记" in result.errors[0].message
    assert snapshot() == (1, 1, 1)


def test_wrong_or_missing_columns(tree):
    headers = [h for h in HEADERS if h not in ("楼组编码", "证件号码")] + ["备注x"]
    with pytest.raises(ImportFileError) as exc:
        import_residents(as_csv([], headers=headers), "a.csv")
    message = exc.value.messages[0]
    assert "缺少列：证件号码、楼组编码" in message and "无法识别的列：备注x" in message
    with pytest.raises(ImportFileError):
        import_residents(b"", "a.csv")
    with pytest.raises(ImportFileError) as exc:
        import_residents(b"PK\x03\x04broken", "a.xlsx")
    assert "无法读取Excel" in exc.value.messages[0]


def test_optional_columns_may_be_left_out(tree):
    keep = ["姓名", "性别", "证件类型", "证件号码", "地址", "楼组编码"]
    idx = [HEADERS.index(h) for h in keep]
    rows = [[row[i] for i in idx] for row in rows_for(tree)]
    result = import_residents(as_xlsx(rows, headers=keep), "a.xlsx")
    assert result.saved and result.residents_created == 4


def test_numeric_id_cells_in_excel_are_reported(tree):
    rows = rows_for(tree)[:1]
    rows[0][4] = int(rows[0][4][:-1] + "0")  # Excel number: the check character is wrong
    result = import_residents(as_xlsx(rows), "a.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(2, "证件号码")]


def test_scope_of_community_staff(tree, by_role):
    rows = rows_for(tree)  # all in community 1
    staff = by_role[Role.COMMUNITY_STAFF]  # community 2
    result = import_residents(as_csv(rows), "a.csv", user=staff)
    assert {e.column for e in result.errors} == {"楼组编码"}
    assert len(result.errors) == 4 and "不在您的管辖范围内" in result.errors[0].message
    assert snapshot() == (0, 0, 0)
    for row in rows:
        row[7] = tree["building_groups"][4].code
    assert import_residents(as_csv(rows), "a.csv", user=staff).saved


def test_template_round_trip(tree):
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert [c.value for c in wb["居民"][1]] == HEADERS
    assert "说明" in wb.sheetnames
    example = [c.value for c in wb["居民"][2]]
    example[HEADERS.index("楼组编码")] = tree["building_groups"][0].code
    assert import_residents(as_xlsx([example]), "t.xlsx").saved
    assert template_csv().decode("utf-8-sig").strip().split(",") == HEADERS


def test_management_command(tree, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(as_csv(rows_for(tree)))
    call_command("import_residents", str(path), "--dry-run")
    assert "检查通过" in capsys.readouterr().out and snapshot() == (0, 0, 0)
    call_command("import_residents", str(path))
    assert snapshot() == (3, 3, 4)
    with pytest.raises(CommandError) as exc:
        call_command("import_residents", str(path))
    assert "4 处错误" in str(exc.value)
    with pytest.raises(CommandError):
        call_command("import_residents", str(tmp_path / "missing.csv"))


def test_admin_upload_page(tree, by_role, client):
    client.force_login(by_role[Role.OPERATOR])
    assert client.get("/admin/registry/resident/import/").status_code == 200
    rows = rows_for(tree)
    rows[1][6] = "无门牌路"
    upload = io.BytesIO(as_csv(rows))
    upload.name = "people.csv"
    html = client.post("/admin/registry/resident/import/", {"file": upload}).content.decode()
    assert 'id="import-errors"' in html and "缺少门牌号" in html
    assert snapshot() == (0, 0, 0)
    upload = io.BytesIO(as_xlsx(rows_for(tree)))
    upload.name = "people.xlsx"
    response = client.post("/admin/registry/resident/import/", {"file": upload}, follow=True)
    assert "导入成功" in response.content.decode()
    assert snapshot() == (3, 3, 4)
    template = client.get("/admin/registry/resident/import/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    client.force_login(by_role[Role.LEADER])
    assert client.get("/admin/registry/resident/import/").status_code == 403


def test_api_import(tree, by_role, api):
    client = api(by_role[Role.OPERATOR])
    upload = io.BytesIO(as_csv(rows_for(tree)))
    upload.name = "people.csv"
    response = client.post("/api/registry/import/", {"file": upload, "dry_run": "true"})
    assert response.status_code == 200 and response.json()["residents_created"] == 4
    assert snapshot() == (0, 0, 0)
    bad = io.BytesIO(as_csv([], headers=["姓名"]))
    bad.name = "x.csv"
    response = client.post("/api/registry/import/", {"file": bad})
    assert response.status_code == 400 and "缺少列" in response.json()["file"][0]
