"""Import residents with their households and addresses from Excel (.xlsx) or CSV.

Template (first row = headers, Chinese; order free; see TEMPLATE_COLUMNS and README):
姓名, 性别, 出生日期, 证件类型, 证件号码, 手机号, 地址, 楼组编码, 户号, 房屋类型, 与户主关系, 户籍, 实住,
关爱标签. Rows sharing address + 户号 form one household.

Two passes: the first reads and checks every row, collecting ALL problems as (row, column,
message); only when there is none does the second write everything in one transaction. A dry run
does the writing too and then rolls it back, so it reports exactly what a real run would.
"""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civicgrid.core import spreadsheets
from civicgrid.registry.addresses import AddressParseError, parse_address
from civicgrid.registry.choices import CareTag, DwellingUse, Gender, IdType, Tenure
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.registry.validators import id_check_char

# header, key, column required in the file, help text for the template
TEMPLATE_COLUMNS = [
    ("姓名", "name", True, "必填"),
    ("性别", "gender", True, "男/女;居民身份证可留空,按号码识别"),
    ("出生日期", "birth_date", False, "如 1990-01-31;居民身份证可留空"),
    ("证件类型", "id_type", True, "居民身份证/护照/港澳居民来往内地通行证/…;留空视为居民身份证"),
    ("证件号码", "id_number", True, "请设为文本格式;居民身份证按GB 11643校验"),
    ("手机号", "phone", False, "11位大陆手机号,可空"),
    ("地址", "address", True, "标准地址,如 祁连山南路2891弄12号301室"),
    ("楼组编码", "building_group", True, "18位楼组网格编码"),
    ("户号", "household_number", False, "同一地址、同一户号为一户;留空则同一地址为一户"),
    (
        "房屋性质",
        "tenure",
        False,
        "商品房/公房/售后公房/自建房/动迁安置/保障性租赁/其他,默认商品房",
    ),
    ("房屋用途", "use", False, "自住/出租/群租/空置/经营,默认自住"),
    ("与户主关系", "relation_to_head", False, "如 户主、配偶、子女"),
    ("户籍", "is_registered", False, "是/否,默认是"),
    ("实住", "lives_here", False, "是/否,默认是"),
    ("关爱标签", "care_tags", False, "多个用“、”分隔:" + "、".join(str(x) for x in CareTag.labels)),
]
HEADER_TO_KEY = {h: k for h, k, _r, _h in TEMPLATE_COLUMNS}
KEY_TO_HEADER = {k: h for h, k, _r, _h in TEMPLATE_COLUMNS}
REQUIRED_HEADERS = [h for h, _k, r, _h in TEMPLATE_COLUMNS if r]
# Model field → column, for errors raised by Resident.clean().
FIELD_TO_HEADER = {**KEY_TO_HEADER, "household": "地址"}

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "无", "不是"}
MAX_ROWS = 50000


class ImportFileError(ValidationError):
    """The file as a whole cannot be imported (unreadable, wrong columns)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    addresses_created: int = 0
    households_created: int = 0
    residents_created: int = 0
    dry_run: bool = False
    saved: bool = False

    def as_dict(self):
        return {
            "rows": self.rows,
            "errors": [e.__dict__ for e in self.errors],
            "addresses_created": self.addresses_created,
            "households_created": self.households_created,
            "residents_created": self.residents_created,
            "dry_run": self.dry_run,
            "saved": self.saved,
        }


# --- reading ------------------------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def read_rows(content: bytes, filename: str = "") -> list[list]:
    """All rows (header first) of an .xlsx or CSV file (UTF-8 with/without BOM, or GBK)."""
    try:
        return spreadsheets.read_rows(content, filename)
    except spreadsheets.SpreadsheetError as exc:
        raise ImportFileError(exc.messages) from exc


def _header_key(cell) -> str:
    return re.sub(r"[\s*]", "", _cell_text(cell))


# --- checking one row ---------------------------------------------------------------------------


def _parse_bool(text, default=True):
    if text == "":
        return default
    low = text.lower()
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise ValueError(_("应填“是”或“否”，不能是“%(v)s”") % {"v": text})


def _parse_choice(text, choices, default, what):
    if text == "":
        return default
    for value, label in choices:
        if text in (value, str(label)):
            return value
    raise ValueError(
        _("%(what)s“%(v)s”无效，可选：%(opts)s")
        % {"what": what, "v": text, "opts": "、".join(str(label) for _v, label in choices)}
    )


def _parse_gender(text):
    aliases = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
    if text == "":
        return ""
    if text.lower() in aliases:
        return aliases[text.lower()]
    raise ValueError(_("性别应填“男”或“女”，不能是“%(v)s”") % {"v": text})


def _parse_date(text):
    if text == "":
        return None
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    try:
        if not m:
            raise ValueError
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(_("日期“%(v)s”无效，请按 1990-01-31 填写") % {"v": text}) from None


def _parse_tags(text):
    if text == "":
        return []
    by_label = {str(label): value for value, label in CareTag.choices}
    tags = []
    for token in re.split(r"[、,,;;\s/]+", text):
        if not token:
            continue
        value = token if token in CareTag.values else by_label.get(token)
        if value is None:
            raise ValueError(
                _("关爱标签“%(v)s”无效，可选：%(opts)s")
                % {"v": token, "opts": "、".join(str(x) for x in CareTag.labels)}
            )
        if value not in tags:
            tags.append(value)
    return tags


@dataclass
class _Row:
    number: int
    values: dict
    resident: Resident | None = None
    address_key: str = ""
    household_key: tuple = ()


def import_residents(
    content: bytes, filename: str = "", *, user=None, dry_run=False
) -> ImportResult:
    """Check and (when there is no error and not dry_run) save one file. Never half-writes.

    user=None is the management command (no scope); otherwise rows may only name building groups
    in the user's scope. A file-level problem raises ImportFileError; row problems are returned.
    """
    from civicgrid.registry.permissions import ensure_may_write
    from civicgrid.registry.services import refresh_household_counts, visible_building_groups

    ensure_may_write(user)
    rows = read_rows(content, filename)
    while rows and not any(_cell_text(c) for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise ImportFileError(_("文件为空，第一行应为表头：%s") % "、".join(HEADER_TO_KEY))
    headers = [_header_key(c) for c in rows[0]]
    while headers and headers[-1] == "":
        headers.pop()
    unknown = [h or _("（空白表头）") for h in headers if h not in HEADER_TO_KEY]
    missing = [h for h in REQUIRED_HEADERS if h not in headers]
    doubled = sorted({h for h in headers if h and headers.count(h) > 1})
    problems = []
    if missing:
        problems.append(_("缺少列：%s") % "、".join(missing))
    if unknown:
        problems.append(_("无法识别的列：%s") % "、".join(unknown))
    if doubled:
        problems.append(_("重复的列：%s") % "、".join(doubled))
    if problems:
        raise ImportFileError(
            _("表头不符合模板（%(problems)s）。应有的列：%(cols)s")
            % {"problems": "；".join(problems), "cols": "、".join(HEADER_TO_KEY)}
        )
    data = []
    for offset, raw in enumerate(rows[1:], start=2):
        values = {key: "" for key in KEY_TO_HEADER}
        for header, cell in zip(headers, raw, strict=False):
            values[HEADER_TO_KEY[header]] = _cell_text(cell)
        if any(values.values()):
            data.append(_Row(number=offset, values=values))
    if len(data) > MAX_ROWS:
        raise ImportFileError(_("一次最多导入%(n)d行，请拆分文件") % {"n": MAX_ROWS})

    result = ImportResult(rows=len(data), dry_run=dry_run)
    errors = result.errors

    def err(row, key, message):
        errors.append(RowError(row.number, KEY_TO_HEADER.get(key, key), str(message)))

    # Everything the rows point at, fetched in a handful of queries.
    codes = {r.values["building_group"] for r in data if r.values["building_group"]}
    all_groups = {
        g.code: g
        for g in visible_building_groups(None).filter(code__in=codes).select_related("parent")
    }
    allowed_codes = set(
        visible_building_groups(user).filter(code__in=codes).values_list("code", flat=True)
    )

    parsed_addresses = {}
    for row in data:
        v = row.values
        if not v["address"]:
            err(row, "address", _("地址必填"))
        else:
            try:
                parts = parse_address(v["address"])
                row.address_key = parts.normalized
                parsed_addresses.setdefault(parts.normalized, parts)
            except AddressParseError as exc:
                err(row, "address", exc.messages[0])
        code = v["building_group"]
        if not code:
            err(row, "building_group", _("楼组编码必填"))
        elif code not in all_groups:
            err(row, "building_group", _("楼组编码“%(c)s”不存在") % {"c": code})
        elif code not in allowed_codes:
            err(row, "building_group", _("楼组“%(c)s”不在您的管辖范围内") % {"c": code})

    existing_addresses = {
        a.normalized: a
        for a in Address.objects.filter(normalized__in=parsed_addresses).select_related(
            "building_group"
        )
    }
    existing_households = {}
    for h in Household.objects.filter(address__normalized__in=parsed_addresses).select_related(
        "address"
    ):
        existing_households.setdefault((h.address.normalized, h.household_number), h)
    address_group = {}  # normalized → building-group code, first row wins
    household_type = {}  # household key → ({"tenure": …, "use": …}, first row)

    for row in data:
        v = row.values
        if row.address_key and v["building_group"] in all_groups:
            known = existing_addresses.get(row.address_key)
            first = address_group.setdefault(row.address_key, v["building_group"])
            if known is not None and known.building_group.code != v["building_group"]:
                err(
                    row,
                    "building_group",
                    _("地址“%(a)s”已登记在楼组%(c)s下")
                    % {"a": row.address_key, "c": known.building_group.code},
                )
            elif first != v["building_group"]:
                err(
                    row,
                    "building_group",
                    _("同一地址在文件中填了不同的楼组（%(a)s / %(b)s）")
                    % {"a": first, "b": v["building_group"]},
                )
        housing = {}
        for key, choices, what in (
            ("tenure", Tenure.choices, _("房屋性质")),
            ("use", DwellingUse.choices, _("房屋用途")),
        ):
            try:
                housing[key] = _parse_choice(v[key], choices, "", what)
            except ValueError as exc:
                err(row, key, exc)
        row.household_key = (row.address_key, v["household_number"])
        if row.address_key:
            seen = household_type.setdefault(row.household_key, ({}, row.number))
            for key, value in housing.items():
                if not value:
                    continue
                if seen[0].setdefault(key, value) != value:
                    err(
                        row,
                        key,
                        _("同一户的%(what)s与第%(n)d行不一致")
                        % {"what": KEY_TO_HEADER[key], "n": seen[1]},
                    )
        fields = {}
        for key, parser in (
            ("gender", _parse_gender),
            ("birth_date", _parse_date),
            ("care_tags", _parse_tags),
        ):
            try:
                fields[key] = parser(v[key])
            except ValueError as exc:
                err(row, key, exc)
        for key in ("is_registered", "lives_here"):
            try:
                fields[key] = _parse_bool(v[key])
            except ValueError as exc:
                err(row, key, exc)
        try:
            fields["id_type"] = _parse_choice(
                v["id_type"], IdType.choices, IdType.RESIDENT_ID, _("证件类型")
            )
        except ValueError as exc:
            err(row, "id_type", exc)
        if not v["name"]:
            err(row, "name", _("姓名必填"))
        if len(fields) < 6:
            continue
        resident = Resident(
            name=v["name"],
            id_number=v["id_number"],
            phone=v["phone"],
            relation_to_head=v["relation_to_head"],
            **fields,
        )
        try:
            resident.clean_fields(exclude=["household"])
            resident.clean()
        except ValidationError as exc:
            for fname, messages in exc.message_dict.items():
                for message in messages:
                    errors.append(RowError(row.number, FIELD_TO_HEADER.get(fname, fname), message))
            continue
        row.resident = resident

    # Duplicate documents inside the file and against the registry.
    first_seen = {}
    numbers = set()
    for row in data:
        r = row.resident
        if r is None or not r.id_number:
            continue
        key = (r.id_type, r.id_number)
        numbers.add(r.id_number)
        if key in first_seen:
            err(row, "id_number", _("证件号码与第%(n)d行重复") % {"n": first_seen[key]})
        else:
            first_seen[key] = row.number
    in_db = set(Resident.objects.filter(id_number__in=numbers).values_list("id_type", "id_number"))
    for row in data:
        r = row.resident
        if r is not None and (r.id_type, r.id_number) in in_db:
            err(row, "id_number", _("证件号码已在人口库中登记"))

    errors.sort(
        key=lambda e: (
            e.row,
            list(HEADER_TO_KEY).index(e.column) if e.column in HEADER_TO_KEY else 99,
        )
    )
    if errors:
        return result

    try:
        with transaction.atomic():
            _write(
                data, all_groups, existing_addresses, existing_households, household_type, result
            )
            refresh_household_counts()
            if dry_run:
                transaction.set_rollback(True)
    except (IntegrityError, ValidationError) as exc:
        # A concurrent edit between the check and the write; nothing was kept.
        result.errors.append(RowError(0, "", _("保存失败，未导入任何数据：%(e)s") % {"e": exc}))
        return result
    result.saved = not dry_run
    return result


def _write(data, groups, addresses, households, household_type, result):
    for row in data:
        v = row.values
        address = addresses.get(row.address_key)
        if address is None:
            parts = parse_address(v["address"])
            address = Address(building_group=groups[v["building_group"]], **parts.as_dict())
            address.save()
            addresses[row.address_key] = address
            result.addresses_created += 1
        household = households.get(row.household_key)
        if household is None:
            housing = household_type.get(row.household_key, ({}, 0))[0]
            household = Household.objects.create(
                address=address,
                household_number=v["household_number"],
                tenure=housing.get("tenure") or Tenure.COMMERCIAL,
                use=housing.get("use") or DwellingUse.OWNER_OCCUPIED,
            )
            households[row.household_key] = household
            result.households_created += 1
        row.resident.household = household
    Resident.objects.bulk_create([row.resident for row in data], batch_size=500)
    result.residents_created = len(data)


# --- template -----------------------------------------------------------------------------------


def example_id_number() -> str:
    first17 = "31011519900131002"
    return first17 + id_check_char(first17)


def template_xlsx() -> bytes:
    """The import template: headers, one example row, and a sheet explaining every column."""
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "居民"
    ws.append([h for h, *_rest in TEMPLATE_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    example = {
        "name": "张三",
        "gender": "女",
        "birth_date": "1990-01-31",
        "id_type": "居民身份证",
        "id_number": example_id_number(),
        "phone": "13912345678",
        "address": "祁连山南路2891弄12号301室",
        "building_group": "310115125001001001",
        "household_number": "1",
        "tenure": "售后公房",
        "use": "自住",
        "relation_to_head": "户主",
        "is_registered": "是",
        "lives_here": "是",
        "care_tags": "",
    }
    ws.append([example[k] for _h, k, *_rest in TEMPLATE_COLUMNS])
    for column in ws.columns:
        for cell in column:
            cell.number_format = "@"  # text, so 18-digit ID numbers keep every digit
        ws.column_dimensions[column[0].column_letter].width = 16
    help_sheet = wb.create_sheet("说明")
    help_sheet.append(["列", "是否必须有此列", "说明"])
    for header, _key, required, text in TEMPLATE_COLUMNS:
        help_sheet.append([header, "是" if required else "否", text])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """The same headers as CSV, UTF-8 with BOM so Excel opens it in Chinese."""
    buf = io.StringIO()
    csv.writer(buf).writerow([h for h, *_rest in TEMPLATE_COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
