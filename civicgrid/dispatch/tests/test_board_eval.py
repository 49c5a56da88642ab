"""The evaluation command on the hand-written message-board development file
(devdata/board_dev.csv: titles and long bodies, 一级标签 classes): a seed-fixed subset of four
classes, three folds, read with the target file's column names; the printed figures agree with
each other and with the file."""

import csv
import io
import pathlib
import random
import re

from django.core.management import call_command

BOARD = pathlib.Path(__file__).resolve().parent.parent / "devdata" / "board_dev.csv"
CLASSES = ["交通运输", "劳动和社会保障", "卫生计生", "环境保护"]


def test_the_board_file_is_the_shape_of_the_target():
    with BOARD.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    labels = {r["一级标签"] for r in rows}
    assert len(labels) >= 7
    assert all(sum(r["一级标签"] == label for r in rows) >= 30 for label in labels)
    assert all(r["留言主题"] and 80 <= len(r["留言详情"]) <= 400 for r in rows)
    assert len({r["留言详情"] for r in rows}) == len(rows)


def test_evaluate_dispatch_on_a_subset_of_the_board_file(tmp_path):
    with BOARD.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["一级标签"] in CLASSES]
    rng = random.Random(3)
    subset = [
        r for label in CLASSES for r in rng.sample([x for x in rows if x["一级标签"] == label], 15)
    ]
    path = tmp_path / "board.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(subset[0]))
        writer.writeheader()
        writer.writerows(subset)
    out = io.StringIO()
    call_command(
        "evaluate_dispatch",
        "--csv",
        str(path),
        "--text-columns",
        "留言主题,留言详情",
        "--label-column",
        "一级标签",
        "--folds",
        "3",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("file: board.csv  rows: 60  labels: 4  folds: 3")
    top1 = float(re.search(r"^top-1: ([0-9.]+) ± ([0-9.]+)", out.getvalue(), re.M).group(1))
    top2 = float(re.search(r"^top-2: ([0-9.]+)", out.getvalue(), re.M).group(1))
    recall = dict(re.findall(r"^  (\S+)\t([0-9.]+)\t\(n=15\)$", out.getvalue(), re.M))
    assert sorted(recall) == CLASSES
    # Stratified folds of equal classes: the mean recall is the top-1.
    assert abs(sum(float(v) for v in recall.values()) / 4 - top1) < 1e-3
    assert 0.75 <= top1 <= top2 <= 1.0
    assert re.search(
        r"^threshold 0\.\d\d: routed share [0-9.]+, accuracy of routed", out.getvalue(), re.M
    )
    # The reliability table: every row in one confidence bin, accuracy beside mean confidence.
    table = re.findall(
        r"^  (0\.\d\d)–([01]\.\d\d)\t(\d+)\t([0-9.]+)\t([0-9.]+)$", out.getvalue(), re.M
    )
    assert table and sum(int(rows) for _, _, rows, _, _ in table) == 60
    assert all(float(lo) <= float(conf) <= float(hi) for lo, hi, _, conf, _ in table)
    # Accuracy weighted by rows is the top-1; calibrated, the confidence's average is near it.
    assert abs(sum(int(n) * float(acc) for *_, n, _, acc in table) / 60 - top1) < 1e-3
    assert abs(sum(int(n) * float(conf) for *_, n, conf, _ in table) / 60 - top1) < 0.1
    assert re.search(r"^threshold for 95 % routed accuracy: (0\.\d\d|none)", out.getvalue(), re.M)
    assert lines[-1] == f"dispatch_top1={top1:.4f}"
