"""Benchmark: smart dispatch's top-1 against the baseline over several seeds on both development
files — the evaluation command's cross-validation (classifier.cross_validate), each fold scored
for the recipe and for the named alternative (char 1–3-gram TF-IDF + LinearSVC) on the same
split.

    .venv/bin/python bench/dispatch_seeds.py                      # seeds 0–3, both files
    .venv/bin/python bench/dispatch_seeds.py --seeds 0 --files board_dev.csv
    .venv/bin/python bench/dispatch_seeds.py --variant 'no-topics={"lexicon_weight": 0}'

devdata/board_dev.csv (217 message-board complaints, 7 broad classes) and devdata/reports_zh.csv
(761 reports, 51 street categories; its stories kept on one side of every fold, as
`evaluate_dispatch --group-column story` does). A variant is DispatchModel's keyword arguments
(`lexicon_weight`, `keep`, `svm_c`, `word_weight`) as JSON. Per file and model: the mean top-1
over all folds, the difference from the baseline, how many folds are better / worse, and the
ratio to the baseline; the last line is `dispatch_seeds_top1_ratio=<board>/<reports>`.
"""

import argparse
import csv
import functools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEVDATA = ROOT / "civicgrid" / "dispatch" / "devdata"
COLUMNS = {
    "board_dev.csv": ("留言主题", "留言详情", "一级标签", None),
    "reports_zh.csv": ("title", "text", "category", "story"),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2,3")
    parser.add_argument("--files", default="board_dev.csv,reports_zh.csv")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--variant", action="append", default=[], help='name={"keep": null}')
    args = parser.parse_args()

    import numpy as np

    from civicgrid.dispatch import classifier

    # jieba's cut of a text is the same in every fold: cut it once (the model is unchanged).
    cut = functools.lru_cache(maxsize=None)(classifier.words)
    classifier.words = lambda text: list(cut(text))

    models = {"recipe": {}}
    for spec in args.variant:
        name, _, kwargs = spec.partition("=")
        models[name] = json.loads(kwargs)
    seeds = [int(s) for s in args.seeds.split(",")]
    ratios = []
    for name in args.files.split(","):
        title, text, label, group = COLUMNS[name]
        with (DEVDATA / name).open(encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        titles, texts = [r[title] for r in rows], [r[text] for r in rows]
        labels = [r[label] for r in rows]
        groups = [r[group] for r in rows] if group else None
        scores = {m: [] for m in models}
        base = []
        for seed in seeds:
            for m, kwargs in models.items():
                # The baseline once per seed, beside the recipe (same folds for every model).
                ev = classifier.cross_validate(
                    titles,
                    texts,
                    labels,
                    folds=args.folds,
                    seed=seed,
                    baseline=m == "recipe",
                    groups=groups,
                    make=lambda kwargs=kwargs, seed=seed: classifier.DispatchModel(
                        seed=seed, **kwargs
                    ),
                )
                scores[m] += ev.top1
                base += ev.baseline_top1
        b = np.asarray(base)
        print(f"{name}: {len(rows)} rows, {len(set(labels))} labels, {len(b)} folds")
        print(f"  baseline ({classifier.BASELINE}): {b.mean():.4f} ± {b.std():.4f}")
        for m, xs in scores.items():
            xs = np.asarray(xs)
            d = xs - b
            print(
                f"  {m}: {xs.mean():.4f} ± {xs.std():.4f}  {d.mean() * 100:+.1f} points, "
                f"folds better/worse {int((d > 1e-9).sum())}/{int((d < -1e-9).sum())}, "
                f"ratio {xs.mean() / b.mean():.3f}"
            )
        ratios.append(np.mean(scores["recipe"]) / b.mean())
    print("dispatch_seeds_top1_ratio=" + "/".join(f"{r:.3f}" for r in ratios))


if __name__ == "__main__":
    main()
