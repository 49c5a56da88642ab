"""The model's prior knowledge and selection: the topic lexicon counts a message's complaint
topics, chi² selection drops columns without breaking the fast path, and grouped folds keep a
story on one side."""

import io
import random
import re

import numpy as np
from django.core.management import call_command

from civicgrid.dispatch import classifier, corpus, lexicon
from civicgrid.dispatch.tests.conftest import KEYS


def test_topics_are_twenty_or_so_of_thirty_to_eighty_words():
    assert 15 <= len(lexicon.NAMES) <= 25
    sizes = {t: len(set(words.split())) for t, words in lexicon.TOPICS.items()}
    assert all(30 <= n <= 80 for n in sizes.values()), sizes
    assert all(len(w) >= 2 for words in lexicon.TOPICS.values() for w in words.split())


def test_a_message_counts_its_topics_and_the_longest_word_wins():
    text = classifier.normalise(
        "包工头拖欠工资三个月了，工地老板也找不到，去劳动监察大队投诉没人管"
    )
    counts = dict(zip(lexicon.NAMES, lexicon.counts(text), strict=True))
    # 拖欠工资 is one word, not also 工资; 包工头, 工地老板 and 劳动监察 are the other three.
    assert counts["劳动就业"] == 4
    assert counts["教育学校"] == 0
    profile = lexicon.features(text)
    assert abs(sum(v * v for v in profile) - 1) < 1e-9
    assert lexicon.features("") == [0.0] * len(lexicon.NAMES)


def test_selection_zeroes_dropped_columns_and_the_fast_path_agrees(fitted_on_keys):
    model = fitted_on_keys
    n_grams = len(model.word.vocabulary_) + len(model.char.vocabulary_)
    dropped = ~model._coef[:, :n_grams].any(axis=0)
    # Half the n-grams are kept (ties at the edge aside); every topic column stays: the topics
    # the training reports (conftest's) touch have weights, the others none.
    assert 0.4 < dropped.mean() <= 0.5 + 1e-3
    rng = random.Random(4)
    reports = [corpus.compose(rng, f, c) for f, c in KEYS for _ in range(30)]
    touched = np.zeros(len(lexicon.NAMES), dtype=bool)
    for r in reports:
        touched |= np.asarray(lexicon.counts(classifier.normalise(r.title + r.text))) > 0
    assert touched.sum() >= 5
    assert (model._coef[:, n_grams:].any(axis=0) == touched).all()
    doc = classifier.normalise("小区门口的路灯坏了，晚上黑漆漆的")
    slow = model.probabilities([""], ["小区门口的路灯坏了，晚上黑漆漆的"])[0]
    assert np.allclose(model._fast_probabilities(model._fast.row(doc)), slow)
    assert model.predict("", "小区门口的路灯坏了，晚上黑漆漆的").label == "component:0110"


def test_grouped_folds_keep_a_story_on_one_side():
    everything = corpus.handwritten()
    told = {}
    for r in everything:
        told[r.story] = told.get(r.story, 0) + 1
    # Every retold story (a long post and the short report it retells) and as many others.
    retold = [r for r in everything if told[r.story] > 1]
    reports = retold + [r for r in everything if told[r.story] == 1][: len(retold)]
    stories = [r.story for r in reports]
    assert len(set(stories)) < len(stories)
    seen = []

    class Recording(classifier.DispatchModel):
        def fit(self, titles, texts, labels):
            seen.append(set(texts))
            return super().fit(titles, texts, labels)

    ev = classifier.cross_validate(
        [r.title for r in reports],
        [r.text for r in reports],
        [r.label for r in reports],
        folds=3,
        groups=stories,
        make=Recording,
    )
    # The folds are as many as the rarest label allows (here fewer than asked).
    assert len(seen) == ev.folds >= 2
    for trained in seen:
        for story in set(stories):
            inside = {r.text in trained for r in reports if r.story == story}
            assert len(inside) == 1, story


def test_the_evaluation_command_reads_a_group_column(tmp_path):
    path = tmp_path / "grouped.csv"
    rows = ["类别,内容,事件"]
    for i in range(12):
        rows.append(f"停车,小区门口乱停车第{i}次，车子堵住了消防通道,e{i // 2}")
        rows.append(f"噪音,楼上半夜装修电钻很吵第{i}次，睡不着,n{i // 2}")
    path.write_text("\n".join(rows), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "evaluate_dispatch",
        "--csv",
        str(path),
        "--text-columns",
        "内容",
        "--label-column",
        "类别",
        "--group-column",
        "事件",
        "--folds",
        "3",
        stdout=out,
    )
    assert "groups: 12 (one fold each)" in out.getvalue()
    assert re.search(r"^dispatch_top1=1\.0000$", out.getvalue(), re.M)
