"""One scrubber for personal data in free text shown to the public (Open311, residents' pages).

`scrub_text(text, names=...)` masks, in this order:

- e-mail addresses: ``wang@example.com`` → ``w***@example.com``;
- 18-digit ID numbers (trailing X, spaces or dashes inside, full-width digits): the province and
  the last two kept, as core.masking does (``310101199001011234`` → ``31**************34``);
- mobile phones in every usual form (``13912345678``, ``139 1234 5678``, ``139-1234-5678``,
  ``139.1234.5678``, ``+86 139…``, ``86-139…``, ``0086…``, full-width ``１３９…``):
  ``139****5678`` (the country code is kept);
- landlines with an area code (``021-64001234``, ``(021)6400 1234``, ``+86 21 6400 1234``), local
  8-digit numbers written ``6400-1234`` / ``6400 1234``, and a bare ``64001234`` right after
  电话/座机/联系/拨打…: the local number except its last four digits;
- person names: the known `names` given by the caller (the reporter's, the case's staff) wherever
  they appear, a common surname with a form of address (``张先生``, ``李女士``, ``王阿姨``,
  ``陈师傅``, ``王建国先生``) and a name after a label (``联系人:刘洋``, ``姓名 李明华``): the name's
  characters become ``*`` (``*先生``, ``联系人:**``);
- room-level addresses: ``12号302室`` → ``12号***室``, ``5号楼1单元602`` → ``5号楼1单元***``,
  ``302室`` → ``***室``, ``12弄5-302`` → ``12弄5-***``; road, estate, 弄/号/楼/单元 numbers stay.

Matching runs on the NFKC form of the text (full-width digits, ``＠``, ``（）`` and ideographic
spaces become ASCII), but the text returned is the original with only the masked characters
replaced. Case numbers (2026112300017), dates, times, amounts and building numbers survive.

A word segmenter was tried for names (jieba's posseg ``nr`` tags): it tags ordinary words of case
texts as names (井盖, 文明养宠, 张江镇, 孙桥, 叶子), so names are found by the rules above instead.

The core app is the bottom layer: nothing here imports another civicgrid app.
"""

import re
import unicodedata
from collections.abc import Iterable

MASK = "*"
# Private-use character standing in for text already claimed by a pattern: no pattern matches
# it, so later patterns neither match inside a masked span nor take it for a digit or a letter.
_CLAIMED = "\ue000"

_CJK = "\u4e00-\u9fff"
# One optional separator between digits: space, dot, hyphen (NFKC has turned the full-width and
# ideographic forms into these) or a Unicode hyphen/dash.
_SEP = r"[ .\-\u2010-\u2015]?"


def _digits(n: int) -> str:
    """n digits, each pair optionally separated by one _SEP."""
    return "[0-9]" + f"(?:{_SEP}[0-9])" * (n - 1)


# Roughly the hundred most common surnames (by the 2020 census) and common compound ones.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦"
)
_COMPOUND = "欧阳|司马|上官|诸葛|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐|端木"
_SURNAME = f"(?:{_COMPOUND}|[{_SURNAMES}])"
_TITLES = (
    "先生|女士|小姐|阿姨|师傅|大爷|大妈|大娘|大婶|阿婆|老伯|大伯|大叔|大姐|大哥|奶奶|爷爷|阿公|"
    "老师|医生|律师|经理|主任|书记|老板|老太|老太太|老人家"
)
# Characters that end a name rather than belong to it (particles and verbs around it).
_NOT_GIVEN = "的了是在和与跟找请让叫说给对向被把从"
_GIVEN = f"(?:(?![{_NOT_GIVEN}])[{_CJK}])"
_LABELS = "联系人|姓名|上报人|报案人|反映人|投诉人|当事人|户主|房东|租客|业主|住户"
# Words that may follow a labelled name and must not be taken for its second given character.
_AFTER_NAME = "电话|手机|联系|先生|女士|反映|来电|投诉|称|说|住|家"

# A room number must not be a count, an amount or a measure: what may not follow it.
_NOT_ROOM_AFTER = r"(?![0-9号弄栋幢楼单元层室房元米年月日天个次人户%.:平吨斤公里千万kKmM])"

PATTERNS = [
    (
        "email",
        re.compile(
            r"(?<![A-Za-z0-9._%+\-])(?P<local>[A-Za-z0-9._%+\-]+)@"
            r"(?P<domain>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})"
        ),
    ),
    (
        "id_number",
        re.compile(
            rf"(?<![0-9A-Za-z])(?P<num>{_digits(17)}{_SEP}[0-9Xx])(?![0-9A-Za-z])",
        ),
    ),
    (
        "mobile",
        re.compile(
            r"(?<![0-9A-Za-z])(?:(?:\+|00)\s?86|86)?[ \-]?"
            rf"(?P<num>1{_SEP}[3-9](?:{_SEP}[0-9]){{9}})(?![0-9])"
        ),
    ),
    (
        "landline",
        re.compile(
            r"(?<![0-9A-Za-z])(?:\(0[1-9][0-9]{1,2}\)|0[1-9][0-9]{1,2}"
            r"|(?:\+|00)\s?86[ \-]?\(?[1-9][0-9]{1,2}\)?)[ \-]?"
            rf"(?P<num>[2-9](?:{_SEP}[0-9]){{6,7}})(?![0-9])"
        ),
    ),
    (
        "local_phone",
        re.compile(
            r"(?<![0-9A-Za-z.\-])(?P<num>[2-9][0-9]{3}[ \-][0-9]{4})"
            r"(?![0-9]|[ .\-][0-9]|\s?[元米年月日号平万千个人次户])"
        ),
    ),
    (
        "phone_after_word",
        re.compile(
            r"(?:电话|座机|固话|手机|联系方式|联系|致电|拨打|[Tt]el|TEL)[^0-9]{0,4}"
            r"(?P<num>[2-9][0-9]{6,7})(?![0-9])"
        ),
    ),
    (
        "room",
        re.compile(
            # 302室, 1202房间, B302室, 302号房
            rf"(?<![0-9A-Za-z])(?P<cut>(?P<room>[A-Za-z]?[0-9]{{3,4}})\s?(?:室|房间|号房))"
            # 12号302, 5号楼602, 1单元602, 3楼302, 12栋1502
            rf"|(?:号楼|[号幢栋楼]|单元)(?P<cut2>\s?-?\s?(?P<room2>[0-9]{{3,4}}))(?![0-9]){_NOT_ROOM_AFTER}"
            # 12弄5-302, 5号楼1-602 (building-room, building-unit-room)
            rf"|(?<=[号弄苑园村坊里楼栋幢庭府湾城区])[0-9]{{1,3}}(?:-[0-9]{{1,2}})?"
            rf"(?P<cut3>-(?P<room3>[0-9]{{3,4}}))(?![0-9]){_NOT_ROOM_AFTER}"
        ),
    ),
    (
        "titled_name",
        re.compile(rf"(?P<name>{_SURNAME}{_GIVEN}{{0,2}}?)(?:{_TITLES})"),
    ),
    (
        "labelled_name",
        re.compile(
            rf"(?:{_LABELS})\s?:\s?(?P<name>{_SURNAME}(?:(?!{_AFTER_NAME})[{_CJK}]){{1,2}})"
            rf"|(?:联系人|姓名)\s?(?P<name2>{_SURNAME}(?:(?!{_AFTER_NAME})[{_CJK}]){{1,2}})"
        ),
    ),
]


class _Text:
    """The NFKC form of a text and, for each of its characters, the original's index."""

    def __init__(self, original: str):
        self.original = original
        if original.isascii():
            self.norm = original
            self.origin = range(len(original))
            return
        chars, origin = [], []
        for index, char in enumerate(original):
            normal = unicodedata.normalize("NFKC", char) if ord(char) > 0x7F else char
            chars.append(normal)
            origin.extend([index] * len(normal))
        self.norm = "".join(chars)
        self.origin = origin

    def claim(self, start: int, end: int) -> None:
        self.norm = self.norm[:start] + _CLAIMED * (end - start) + self.norm[end:]


class _Edits:
    """Replacements in the original text: original index → replacement ('' deletes)."""

    def __init__(self, text: _Text):
        self.text = text
        self.changes: dict[int, str] = {}

    def mask(self, start: int, end: int) -> None:
        """Mask every normalized character in [start, end) that is not a separator."""
        for i in range(start, end):
            char = self.text.norm[i]
            if char.isalnum() or ("\u4e00" <= char <= "\u9fff"):
                self.changes[self.text.origin[i]] = MASK

    def mask_digits(self, start: int, end: int, keep_head: int, keep_tail: int) -> None:
        positions = [i for i in range(start, end) if self.text.norm[i] in "0123456789Xx"]
        for i in positions[keep_head : len(positions) - keep_tail]:
            self.changes[self.text.origin[i]] = MASK

    def replace(self, start: int, end: int, value: str) -> None:
        """Replace the original characters behind normalized [start, end) by `value`."""
        if start >= end:
            return
        indices = sorted({self.text.origin[i] for i in range(start, end)})
        self.changes[indices[0]] = value
        for index in indices[1:]:
            self.changes[index] = ""

    def apply(self) -> str:
        if not self.changes:
            return self.text.original
        return "".join(self.changes.get(i, char) for i, char in enumerate(self.text.original))


def _names_pattern(names: Iterable[str]) -> re.Pattern | None:
    wanted = set()
    for name in names:
        name = unicodedata.normalize("NFKC", (name or "")).strip()
        # A single character would mask far too much ordinary text.
        if len(name) >= 2:
            wanted.add(name)
            if " " in name:  # "Ming Wang": also "Ming" "Wang" together without the space
                wanted.add(name.replace(" ", ""))
    if not wanted:
        return None
    parts = []
    for name in sorted(wanted, key=len, reverse=True):
        escaped = re.escape(name)
        if name.isascii():
            escaped = rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])"
        parts.append(escaped)
    return re.compile("|".join(parts), re.IGNORECASE)


def _scrub(text: str, names: Iterable[str], drop_rooms: bool) -> str:
    if not text:
        return text or ""
    t = _Text(text)
    edits = _Edits(t)

    known = _names_pattern(names)
    if known is not None:
        for match in known.finditer(t.norm):
            edits.mask(match.start(), match.end())
            t.claim(match.start(), match.end())

    for kind, pattern in PATTERNS:
        claimed = []
        for match in pattern.finditer(t.norm):
            if kind == "email":
                start, end = match.span("local")
                if end - start > 1:
                    edits.replace(start + 1, end, MASK * 3)
                else:
                    edits.replace(start, end, MASK)
                claimed.append(match.span())
            elif kind == "id_number":
                start, end = match.span("num")
                edits.mask_digits(start, end, keep_head=2, keep_tail=2)
                claimed.append(match.span())
            elif kind == "mobile":
                start, end = match.span("num")
                edits.mask_digits(start, end, keep_head=3, keep_tail=4)
                claimed.append(match.span())
            elif kind in ("landline", "local_phone", "phone_after_word"):
                start, end = match.span("num")
                edits.mask_digits(start, end, keep_head=0, keep_tail=4)
                claimed.append(match.span())
            elif kind == "room":
                for cut, room in (("cut", "room"), ("cut2", "room2"), ("cut3", "room3")):
                    if match.group(room) is None:
                        continue
                    if drop_rooms:
                        edits.replace(*match.span(cut), "")
                    else:
                        edits.mask_digits(*match.span(room), keep_head=0, keep_tail=0)
                    claimed.append(match.span(cut))
            else:  # names
                group = "name" if match.group("name") is not None else "name2"
                edits.mask(*match.span(group))
                claimed.append(match.span(group))
        for start, end in claimed:
            t.claim(start, end)

    result = edits.apply()
    if drop_rooms and edits.changes:
        # "12号302室" → "12号"; "5号楼1单元 602" → "5号楼1单元": no dangling separators.
        result = re.sub(r"[\s,，、\-－]+$", "", result)
    return result


def scrub_text(text: str, *, names: Iterable[str] = ()) -> str:
    """`text` with personal data masked (see the module's docstring); the rest unchanged."""
    return _scrub(text, names, drop_rooms=False)


def scrub_address(text: str, *, names: Iterable[str] = ()) -> str:
    """An address for the public: scrubbed like scrub_text, with the room part left out
    (``浦东大道100弄12号302室`` → ``浦东大道100弄12号``)."""
    return _scrub(text, names, drop_rooms=True)
