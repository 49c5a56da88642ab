"""Standard-address normalisation (placeholder signature; implemented in the registry work)."""

import unicodedata


def _clean(part: str) -> str:
    return unicodedata.normalize("NFKC", part or "").replace(" ", "").strip()


def normalize_parts(road, lane, number, building, room) -> str:
    road, lane, number, building, room = (_clean(p) for p in (road, lane, number, building, room))
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
