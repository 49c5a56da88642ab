"""Validation of residents' documents and phones (Chinese messages, used by models, API, import).

The resident ID card number follows GB 11643-1999: 6-digit administrative division code,
8-digit birth date (YYYYMMDD), 3-digit sequence (odd = male, even = female) and an ISO 7064
MOD 11-2 check character (0-9 or X).
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.registry.choices import Gender, IdType

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# First two digits: provinces, autonomous regions, municipalities (GB/T 2260) plus 71/81/82/83
# used on residence permits for Taiwan, Hong Kong and Macao residents.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(value) -> str:
    return re.sub(r"\s+", "", str(value or "")).upper()


def validate_resident_id(value) -> str:
    """Check an 18-character resident ID number; return it normalised (upper-case X)."""
    number = normalize_id_number(value)
    if len(number) == 15 and number.isdigit():
        raise ValidationError(
            _("15位旧身份证号码不再受理，请填写18位居民身份证号码"), code="old_id"
        )
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise ValidationError(
            _("居民身份证号码应为18位：17位数字加1位校验码（数字或X），当前为“%(value)s”")
            % {"value": number},
            code="id_format",
        )
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("居民身份证号码的地区码“%(code)s”无效") % {"code": number[:6]}, code="id_region"
        )
    birth = id_birth_date(number)
    if birth is None:
        raise ValidationError(
            _("居民身份证号码中的出生日期“%(digits)s”不是有效日期") % {"digits": number[6:14]},
            code="id_birth",
        )
    if birth < datetime.date(1900, 1, 1) or birth > timezone.localdate():
        raise ValidationError(
            _("居民身份证号码中的出生日期“%(date)s”不合理") % {"date": birth.isoformat()},
            code="id_birth",
        )
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("居民身份证号码校验码错误（按GB 11643校验，末位应为“%(expected)s”)")
            % {"expected": id_check_char(number[:17])},
            code="id_checksum",
        )
    return number


def id_birth_date(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_gender(number: str) -> str:
    return Gender.MALE if int(number[16]) % 2 == 1 else Gender.FEMALE


def validate_document(id_type, id_number, *, gender="", birth_date=None) -> dict:
    """Validate a document; return {field: error} (empty when fine).

    Only the resident ID card carries a checksum; its birth date and sex digit must agree with the
    gender and birth date fields when those are filled in. Other documents only need a sane shape.
    """
    errors = {}
    number = normalize_id_number(id_number)
    if not number:
        return errors
    if id_type == IdType.RESIDENT_ID:
        try:
            number = validate_resident_id(number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
            return errors
        if birth_date and birth_date != id_birth_date(number):
            errors["birth_date"] = _("出生日期与身份证号码不一致（身份证为%(date)s）") % {
                "date": id_birth_date(number).isoformat()
            }
        if gender and gender != id_gender(number):
            errors["gender"] = _("性别与身份证号码不一致（身份证为%(gender)s）") % {
                "gender": Gender(id_gender(number)).label
            }
    elif not re.fullmatch(r"[0-9A-Z\-()()]{5,32}", number):
        errors["id_number"] = _("证件号码只能包含字母、数字和连字符，长度5到32位")
    return errors


def normalize_mobile(value) -> str:
    """ "+86 139-1234-5678" → "13912345678"; the input unchanged (stripped) if it is no mobile."""
    text = re.sub(r"[\s\-()()]", "", str(value or ""))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def validate_mobile(value) -> str:
    """Check a mainland mobile number (11 digits, 13x–19x); return it normalised."""
    number = normalize_mobile(value)
    if not MOBILE_RE.fullmatch(number):
        raise ValidationError(
            _("手机号“%(value)s”格式不正确，应为11位大陆手机号（1开头，第二位3-9）")
            % {"value": value},
            code="mobile",
        )
    return number
