"""Grid codes after GB/T 30428: each level appends its zero-padded number to the parent's code.

street    = county(6) + street(3)                  9 digits, e.g. 310115125
area      = street + area(2)                      11 digits (片区 is not in the standard code)
community = street + community(3)                 12 digits (community numbers unique per street)
micro     = community + sequence(3)               15 digits: the unit-grid code
building  = micro + building group(3)             18 digits
"""

from civicgrid.grids.choices import LEVEL_DIGITS, GridLevel


class CodeError(ValueError):
    pass


def derive_code(
    level: str,
    number: int,
    parent_code: str | None,
    county_code: str = "",
    street_code: str | None = None,
) -> str:
    digits = LEVEL_DIGITS[GridLevel(level)]
    if number is None or number < 0 or number >= 10**digits:
        raise CodeError(f"序号 {number} 超出 {digits} 位编码范围")
    suffix = str(number).zfill(digits)
    if level == GridLevel.STREET:
        if not (len(county_code) == 6 and county_code.isdigit()):
            raise CodeError(f"区县代码必须是 6 位数字(GB/T 2260),不是 {county_code!r}")
        return county_code + suffix
    if level == GridLevel.COMMUNITY:
        # The community hangs under an area, but its code hangs under the street.
        base = street_code if street_code is not None else (parent_code or "")[:9]
        return base + suffix
    if not parent_code:
        raise CodeError("缺少上级网格编码")
    return parent_code + suffix
