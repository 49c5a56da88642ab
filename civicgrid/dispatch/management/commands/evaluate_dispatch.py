"""manage.py evaluate_dispatch --csv FILE --text-columns COL[,COL…] --label-column COL --folds 5

Cross-validates smart dispatch's text model on any labelled file (.csv or .xlsx) before the
street trusts it: stratified folds with a fixed seed; top-1 and top-2 accuracy with their spread
over the folds, per-class recall, a reliability table (accuracy per bin of the out-of-fold
confidence: the confidence is a calibrated probability, so the two should agree), the lowest
threshold whose routed share is 95 % right, the share the model would route alone at the
threshold and the accuracy of that share; the last line is `dispatch_top1=<x>`. Any labels work
(not only civicgrid's categories). The first text column is read as the title when there are
several. `--group-column COL` keeps rows sharing a value in one fold (reports_zh.csv's `story`:
a long post and the short report it retells), so a retelling is not scored against a model that
learnt its original.
"""

import pathlib

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from civicgrid.core import spreadsheets
from civicgrid.dispatch import classifier


def read_rows(path: pathlib.Path) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a .csv (UTF-8 with or without BOM, or GBK as Excel saves it) or .xlsx
    file (first sheet)."""
    try:
        rows = spreadsheets.read_rows(path.read_bytes(), path.name)
    except spreadsheets.SpreadsheetError as exc:
        raise CommandError(f"{path}: {' '.join(exc.messages)}") from None
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}") from None
    rows = [["" if v is None else str(v) for v in row] for row in rows]
    if not rows:
        raise CommandError(f"{path}: empty file")
    return [h.strip() for h in rows[0]], rows[1:]


class Command(BaseCommand):
    help = "Cross-validate the dispatch text model on a labelled CSV or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, help="labelled file (.csv or .xlsx)")
        parser.add_argument("--text-columns", required=True, help="COL[,COL…]; first = title")
        parser.add_argument("--label-column", required=True)
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="confidence for the routed share (default CIVICGRID_DISPATCH_AUTO_THRESHOLD)",
        )
        parser.add_argument(
            "--baseline", action="store_true", help="also char n-gram TF-IDF + LinearSVC"
        )
        parser.add_argument(
            "--group-column",
            default=None,
            help="rows sharing a value stay in one fold (e.g. a post and its retelling)",
        )

    def handle(self, *args, **options):
        path = pathlib.Path(options["csv"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        header, rows = read_rows(path)
        columns = [c.strip() for c in options["text_columns"].split(",") if c.strip()]
        wanted = [*columns, options["label_column"]]
        if options["group_column"]:
            wanted.append(options["group_column"])
        missing = [c for c in wanted if c not in header]
        if missing:
            raise CommandError(f"columns not in the file: {', '.join(missing)} (has: {header})")
        at = [header.index(c) for c in columns]
        label_at = header.index(options["label_column"])
        group_at = header.index(options["group_column"]) if options["group_column"] else None
        titles, texts, labels, groups = [], [], [], []
        for row in rows:
            row = row + [""] * (len(header) - len(row))
            label = row[label_at].strip()
            values = [row[i].strip() for i in at]
            if not label or not any(values):
                continue
            if len(values) > 1:
                titles.append(values[0])
                texts.append("\n".join(values[1:]))
            else:
                titles.append("")
                texts.append(values[0])
            labels.append(label)
            groups.append(row[group_at].strip() if group_at is not None else "")
        if options["folds"] < 2:
            raise CommandError("--folds must be at least 2")
        if len(set(labels)) < 2:
            raise CommandError("at least two labels are needed")
        threshold = options["threshold"]
        if threshold is None:
            threshold = float(settings.CIVICGRID_DISPATCH_AUTO_THRESHOLD)
        ev = classifier.cross_validate(
            titles,
            texts,
            labels,
            folds=options["folds"],
            seed=options["seed"],
            threshold=threshold,
            baseline=options["baseline"],
            groups=groups if group_at is not None else None,
        )
        out = self.stdout.write
        out(f"file: {path.name}  rows: {len(labels)}  labels: {len(ev.labels)}  folds: {ev.folds}")
        if group_at is not None:
            out(f"groups: {len(set(g or i for i, g in enumerate(groups)))} (one fold each)")
        out(f"model: {classifier.RECIPE}")
        out(
            f"top-1: {ev.top1_mean:.4f} ± {np.std(ev.top1):.4f} "
            f"(min {min(ev.top1):.4f}, max {max(ev.top1):.4f})"
        )
        out(
            f"top-2: {ev.top2_mean:.4f} ± {np.std(ev.top2):.4f} "
            f"(min {min(ev.top2):.4f}, max {max(ev.top2):.4f})"
        )
        if ev.baseline_top1:
            out(
                f"baseline ({classifier.BASELINE}) top-1: {np.mean(ev.baseline_top1):.4f} "
                f"± {np.std(ev.baseline_top1):.4f}"
            )
        out("per-class recall:")
        counts = {label: labels.count(label) for label in ev.labels}
        for label in ev.labels:
            out(f"  {label}\t{ev.recall[label]:.4f}\t(n={counts[label]})")
        out(
            f"reliability (out-of-fold confidence of the first choice; calibration error {ev.calibration_error:.4f}):"
        )
        out("  confidence\trows\tmean confidence\taccuracy")
        for lo, hi, n, conf, acc in ev.reliability():
            out(f"  {lo:.2f}–{hi:.2f}\t{n}\t{conf:.4f}\t{acc:.4f}")
        wanted = ev.threshold_for(0.95)
        if wanted is None:
            out("threshold for 95 % routed accuracy: none reaches it")
        else:
            out(
                f"threshold for 95 % routed accuracy: {wanted[0]:.2f} "
                f"(routed share {wanted[1]:.4f})"
            )
        routed = "n/a" if ev.routed_accuracy is None else f"{ev.routed_accuracy:.4f}"
        out(
            f"threshold {threshold:.2f}: routed share {ev.routed_share:.4f}, "
            f"accuracy of routed {routed}"
        )
        out(f"dispatch_top1={ev.top1_mean:.4f}")
