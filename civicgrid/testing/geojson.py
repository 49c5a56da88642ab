"""GeoJSON of a small grid tree, as the grid import (grids.geojson_io) takes it."""

from civicgrid.testing.factories import rect

X0, Y0, S = 121.5, 31.1, 0.01


def feature(code, name, level, parent_code, geometry, **extra):
    props = {"code": code, "name": name, "level": level, "parent_code": parent_code, **extra}
    return {"type": "Feature", "geometry": geometry, "properties": props}


def sample_collection():
    """Street 310115125 → area 01 → 2 communities side by side → 2 micro-grids stacked N→S each
    → 1 building group per micro-grid, all tiling their parent exactly."""
    features = [
        feature(
            "310115125",
            "测试街道",
            "街镇",
            None,
            rect(X0, Y0, X0 + 2 * S, Y0 + S),
            county_code="310115",
        ),
        feature("31011512501", "第一片区", "片区", "310115125", rect(X0, Y0, X0 + 2 * S, Y0 + S)),
    ]
    for c in range(2):
        ccode = f"310115125{c + 1:03d}"
        cx = X0 + c * S
        features.append(
            feature(ccode, f"第{c + 1}居委", "居村", "31011512501", rect(cx, Y0, cx + S, Y0 + S))
        )
        for m in range(2):
            mcode = f"{ccode}{m + 1:03d}"
            top = Y0 + S - m * S / 2
            features.append(
                feature(
                    mcode,
                    f"第{c + 1}居委{m + 1}网格",
                    "微网格",
                    ccode,
                    rect(cx, top - S / 2, cx + S, top),
                    party_organisation=f"第{m + 1}党小组",
                    household_count=120,
                )
            )
            features.append(
                feature(mcode + "001", "1楼组", "楼组", mcode, rect(cx, top - S / 2, cx + S, top))
            )
    return {"type": "FeatureCollection", "features": features}
