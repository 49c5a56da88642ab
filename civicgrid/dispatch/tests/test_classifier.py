"""The text model without Django: its fast path agrees with scikit-learn's, it ranks three
alternatives with probabilities, gives its reason in the report's own words, and learns any
labels."""

import numpy as np
from scipy import sparse

from civicgrid.dispatch import classifier, corpus, lexicon
from civicgrid.dispatch.tests.conftest import FLYING_WIRE


def test_normalising_folds_numbers_addresses_and_full_width():
    assert classifier.normalise("秀沿路１２３弄45号 ３楼") == "秀沿路0弄0号 0楼"
    assert classifier.joined("标题", "正文") == "标题。标题。正文"


def test_government_terms_are_one_word():
    # jieba alone cuts them apart; whole, they are a class's phrase and a readable reason.
    assert "飞线充电" in classifier.words("楼下有人飞线充电")
    assert "雨污混接" in classifier.words("小区雨污混接很严重")
    assert "占道经营" in classifier.words("路边占道经营")


def test_one_report_the_fast_way_equals_scikit_learns_transform(fitted_on_keys):
    model = fitted_on_keys
    doc = classifier.normalise(classifier.joined("飞线充电", FLYING_WIRE))
    fast = model._fast.row(doc).toarray()
    slow = model.matrix([doc]).toarray()
    raw = sparse.hstack([model.word.transform([doc]), model.char.transform([doc])]).toarray()
    # The word view's weight applies on both paths (at 1.0 the two views count alike); the
    # topic columns (dispatch.lexicon) follow the n-grams, times their weight.
    assert np.allclose(slow[:, : raw.shape[1]], raw) == (model.word_weight == 1.0)
    topics = np.asarray(lexicon.features(doc)) * model.lexicon_weight
    assert model.lexicon_weight > 0 and topics.any()
    assert np.allclose(slow[0, raw.shape[1] :], topics)
    assert np.allclose(fast, slow)
    p = model.probabilities(["飞线充电"], [FLYING_WIRE])[0]
    assert np.allclose(model._fast_probabilities(model._fast.row(doc)), p)


def test_prediction_top_three_and_the_reason_in_words(fitted_on_keys):
    said = fitted_on_keys.predict("", FLYING_WIRE)
    assert said.label == "community:0103"
    assert len(said.top) == 3
    assert [p for _, p in said.top] == sorted((p for _, p in said.top), reverse=True)
    assert said.top[0] == (said.label, said.confidence) and 0 < said.confidence <= 1
    assert said.reasons, said
    # Each reason is a phrase of the report itself (numbers and punctuation aside).
    text = classifier.normalise(FLYING_WIRE)
    assert all(reason in text for reason in said.reasons), said.reasons


def test_any_labels_and_a_stored_model_predicts_the_same():
    rng = __import__("random").Random(1)
    pairs = [("event", "0505"), ("community", "0105")]
    reports = [corpus.compose(rng, f, c) for f, c in pairs for _ in range(12)]
    labels = ["停车" if r.code == "0505" else "积水" for r in reports]
    model = classifier.DispatchModel().fit(
        [r.title for r in reports], [r.text for r in reports], labels
    )
    said = model.predict("", "下了一场雨，小区里积水到小腿肚，一楼人家都进水了")
    assert said.label == "积水" and len(said.top) == 2
    again = classifier.DispatchModel.loads(model.dumps())
    assert again.predict("", "下了一场雨，小区里积水到小腿肚").label == "积水"


def test_the_development_set_is_varied():
    reports = corpus.reports(60, seed=2)
    assert len(reports) == 60 * len(corpus.categories()) and len(corpus.categories()) >= 50
    per = {}
    for r in reports:
        per.setdefault(r.label, []).append(r)
    lengths = [len(r.text) for r in reports]
    assert min(lengths) < 60 and max(lengths) > 200
    assert any("市民来电" in r.text for r in reports)
    assert all(len({r.text for r in rs}) == len(rs) for rs in per.values())
    assert sum(1 for r in reports if r.title) > len(reports) // 2


def _noisy_reports(n=240, seed=1):
    """Four classes whose words are mostly shared: a text says its class only through a few of
    its 25 words, so the model is sometimes rightly unsure and sometimes wrong."""
    rng = __import__("random").Random(seed)
    chars = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土风云雷电山川河海天地日月星"
    vocabulary = [a + b for a in chars for b in chars]
    rng.shuffle(vocabulary)
    classes = ["一类", "二类", "三类", "四类"]
    own = {c: vocabulary[i * 10 : (i + 1) * 10] for i, c in enumerate(classes)}
    shared = vocabulary[100:400]
    texts, labels = [], []
    for i in range(n):
        label = classes[i % 4]
        said = [
            rng.choice(own[label]) if rng.random() < 0.12 else rng.choice(shared) for _ in range(25)
        ]
        texts.append("，".join(said))
        labels.append(label)
    return [""] * n, texts, labels


def test_the_confidence_is_a_calibrated_probability():
    titles, texts, labels = _noisy_reports()
    ev = classifier.cross_validate(titles, texts, labels, folds=4, seed=0, threshold=0.9)
    assert 0.7 < ev.top1_mean < 0.97  # hard enough that confidence has something to say
    table = ev.reliability()
    assert sum(rows for _, _, rows, _, _ in table) == len(labels)
    # Per bin, accuracy follows confidence: the share-weighted gap is a few points.
    assert ev.calibration_error < 0.08, table
    sure = [(rows, acc) for lo, _, rows, _, acc in table if lo >= 0.9]
    unsure = [(rows, acc) for lo, _, rows, _, acc in table if lo < 0.7]
    assert sum(r * a for r, a in sure) / sum(r for r, _ in sure) > 0.95
    assert sum(r * a for r, a in unsure) / sum(r for r, _ in unsure) < 0.75
    # The reported threshold routes a share that is indeed 95 % right, and more than a token.
    threshold, share = ev.threshold_for(0.95)
    conf, ok = np.asarray(ev.confidence), np.asarray(ev.correct)
    assert ok[conf >= threshold].mean() >= 0.95 and share == (conf >= threshold).mean() > 0.5
    # A confidence never reaches 1: a rule at threshold 1.0 keeps every report for the desk.
    model = classifier.DispatchModel().fit(titles, texts, labels)
    assert 0.05 < model.temperature < 1
    assert model.probabilities(titles[:40], texts[:40]).max() < 1.0
