"""Standard-address (标准地址) parsing and normalisation.

One dwelling must be one Address row however it was typed: "祁连山南路2891弄12号301室",
"祁连山南路２８９１弄１２號 301" and "祁连山南路二八九一弄十二号301室" all normalise to the same
string. The canonical form is road + lane弄 + number号 + building幢 + room室, with ASCII digits and
upper-case letters. Chinese numerals are converted only where a number is expected (right before
弄/号/幢/室), never inside the road name, so "中山北一路" keeps its 一.
"""

import re
import unicodedata
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class AddressParseError(ValidationError):
    """Raised for an address that cannot be split into road/lane/number/building/room."""


@dataclass(frozen=True)
class AddressParts:
    road: str
    lane: str = ""
    number: str = ""
    building: str = ""
    room: str = ""

    @property
    def normalized(self) -> str:
        return normalize_parts(self.road, self.lane, self.number, self.building, self.room)

    def as_dict(self) -> dict:
        return asdict(self)


# Leading city/district names are dropped: the registry is one street, and people type them or not.
_PREFIXES = ("中国", "上海市", "上海")
_DISTRICTS = (
    "黄浦区 徐汇区 长宁区 静安区 普陀区 虹口区 杨浦区 闵行区 宝山区 嘉定区 浦东新区 金山区 "
    "松江区 青浦区 奉贤区 崇明区"
).split()

_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUMERAL = "零〇○一二两三四五六七八九十百千"
# A Chinese numeral right before a marker that expects a number (弄, 号 not followed by 楼 is
# handled the same way as 号楼, 幢/栋/座, 室).
_CN_BEFORE_MARKER = re.compile(rf"([{_CN_NUMERAL}]+)(?=弄|号|幢|栋|座|室)")

_BUILDING_MARKERS = re.compile(r"号楼|栋|座")

_PATTERN = re.compile(
    r"^(?P<road>[^0-9]*?[^0-9\-])"
    r"(?:(?P<lane>[0-9]+(?:支[0-9]+)?)弄)?"
    r"(?:(?P<number>[0-9]+(?:-[0-9]+)?[A-Z]?)号)?"
    r"(?:(?P<building>[0-9]+[A-Z]?|[A-Z])幢)?"
    r"(?:(?P<room>[0-9A-Z]+(?:-[0-9A-Z]+)?)室?)?$"
)


def chinese_to_int(text: str) -> int | None:
    """ "十二" → 12, "二八九一" → 2891, "两千八百九十一" → 2891; None when it is not a number."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    if not any(ch in _CN_UNITS for ch in text):
        # Digit by digit, as addresses are often read out: 二八九一.
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, current, last_unit = 0, None, 10000
    for ch in text:
        if ch in _CN_DIGITS:
            if current is not None and _CN_DIGITS[ch] != 0:
                return None  # two digits in a row inside a unit-number ("二三十")
            current = _CN_DIGITS[ch] if _CN_DIGITS[ch] != 0 else None
        else:
            unit = _CN_UNITS[ch]
            if unit >= last_unit:
                return None  # units must fall: 千 > 百 > 十
            total += (1 if current is None else current) * unit
            current, last_unit = None, unit
    return total + (current or 0)


def _base_clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text).upper()
    for dash in ("—", "–", "－", "―", "‐"):
        text = text.replace(dash, "-")
    return text.replace("號", "号").replace("衖", "弄").replace("#", "号")


def normalize_search_text(text: str) -> str:
    """What a person typed into a search box, in the registry's writing: NFKC (full-width
    digits and letters become ASCII), no spaces, upper case, 號→号, and Chinese numerals before
    弄/号/幢/室 as digits — "１５０１弄 十二號" → "1501弄12号". A name stays as it was typed."""
    return _convert_numerals(_base_clean(text))[:100]


def _convert_numerals(text: str) -> str:
    def repl(match):
        value = chinese_to_int(match.group(1))
        return match.group(1) if value is None else str(value)

    return _CN_BEFORE_MARKER.sub(repl, text)


def _clean_part(part, marker_pattern: str) -> str:
    """One field as typed into a form: "2891弄", "２８９１", "十二" → "2891"/"12"."""
    text = _base_clean(str(part) if part is not None else "")
    text = re.sub(rf"(?:{marker_pattern})$", "", text)
    value = chinese_to_int(text)
    return str(value) if value is not None else text


def normalize_parts(road, lane, number, building, room) -> str:
    """The canonical string for these parts (Address.normalized)."""
    road = _base_clean(road)
    lane = _clean_part(lane, "弄")
    number = _clean_part(number, "号")
    building = _clean_part(building, "号楼|幢|栋|座")
    room = _clean_part(room, "室")
    out = road
    if lane:
        out += f"{lane}弄"
    if number:
        out += f"{number}号"
    if building:
        out += f"{building}幢"
    if room:
        out += f"{room}室"
    return out


def clean_parts(road, lane="", number="", building="", room="") -> AddressParts:
    """Parts as stored on Address: cleaned the same way normalize_parts cleans them."""
    return AddressParts(
        road=_base_clean(road),
        lane=_clean_part(lane, "弄"),
        number=_clean_part(number, "号"),
        building=_clean_part(building, "号楼|幢|栋|座"),
        room=_clean_part(room, "室"),
    )


def parse_address(text: str) -> AddressParts:
    """Split a typed address into its parts; AddressParseError (Chinese message) if impossible."""
    cleaned = _base_clean(text)
    if not cleaned:
        raise AddressParseError(_("地址为空"), code="empty")
    for prefix in _PREFIXES:
        if cleaned.startswith(prefix):
            cleaned = cleaned[len(prefix) :]
            break
    for district in _DISTRICTS:
        if cleaned.startswith(district):
            cleaned = cleaned[len(district) :]
            break
    cleaned = _convert_numerals(cleaned)
    cleaned = _BUILDING_MARKERS.sub("幢", cleaned)
    if not re.search(r"[0-9]", cleaned):
        raise AddressParseError(
            _("地址“%(text)s”缺少门牌号（如“12号”）") % {"text": text}, code="no_number"
        )
    if re.match(r"[0-9]", cleaned):
        raise AddressParseError(
            _("地址“%(text)s”缺少路名（如“祁连山南路”）") % {"text": text}, code="no_road"
        )
    match = _PATTERN.match(cleaned)
    if not match:
        tail = re.search(r"[0-9][0-9A-Z\-]*(?:弄|号|幢|室)?", cleaned)
        rest = cleaned[tail.start() :] if tail else cleaned
        raise AddressParseError(
            _(
                "无法识别地址“%(text)s”中的“%(rest)s”部分；格式应为 路名+弄+号+幢+室，如“祁连山南路2891弄12号301室”"
            )
            % {"text": text, "rest": rest},
            code="unparseable",
        )
    parts = {k: v or "" for k, v in match.groupdict().items()}
    road = parts["road"]
    if not re.search(r"[\u4e00-\u9fff]", road) or road.endswith(("弄", "号", "幢", "室")):
        raise AddressParseError(
            _("地址“%(text)s”缺少路名（如“祁连山南路”）") % {"text": text}, code="no_road"
        )
    if not parts["number"] and not parts["building"]:
        raise AddressParseError(
            _("地址“%(text)s”缺少门牌号（如“12号”）") % {"text": text}, code="no_number"
        )
    return clean_parts(**parts)
