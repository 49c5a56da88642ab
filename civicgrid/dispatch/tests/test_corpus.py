"""The hand-written development reports (devdata/reports_zh.csv): every category has its own
texts in several lengths, evaluation never trains on what it tests, and the demo's cases read
them."""

import random
from collections import Counter

from civicgrid.cases.seed import COMMUNITY, COMPONENT, EVENT
from civicgrid.dispatch import corpus


def test_every_seeded_category_has_ten_hand_written_reports_of_several_lengths():
    written = corpus.handwritten()
    seeded = {
        (family, code)
        for family, groups in (("component", COMPONENT), ("event", EVENT), ("community", COMMUNITY))
        for _, _, leaves in groups
        for code, *_ in leaves
    }
    counts = Counter((r.family, r.code) for r in written)
    assert set(counts) == seeded == set(corpus.categories())
    assert min(counts.values()) >= 10
    assert len({r.text for r in written}) == len(written)  # no text twice
    lengths = [len(r.text) for r in written]
    assert sum(n <= 40 for n in lengths) > 100 and sum(n > 250 for n in lengths) > 40
    # Message-board posts: a title and paragraphs.
    assert sum(bool(r.title) and "\n\n" in r.text for r in written) > 100


def test_the_held_out_test_never_meets_its_training():
    train, test = corpus.handwritten_split()
    assert train and test and not set(train) & set(test)
    assert {(r.family, r.code) for r in test} == set(corpus.categories())
    # A long post and the report it retells stay on one side.
    retold = [r.story for r in corpus.handwritten() if r.story]
    assert len(retold) > len(set(retold)) >= 40
    assert not {r.story for r in train} & {r.story for r in test}
    held_train, held_test = corpus.held_out(4, seed=3)
    assert set(test) <= set(held_test) and not set(test) & set(held_train)
    # reports() mixes in hand-written texts, but only the training part, for any seed.
    for seed in (2, 5, 17):
        mixed = corpus.reports(30, seed=seed)
        assert len(mixed) == 30 * len(corpus.categories())
        assert set(mixed) & set(train) and not set(mixed) & set(test)


def test_demo_descriptions_draw_on_the_hand_written_texts():
    written = {r.text[:12] for r in corpus.handwritten() if (r.family, r.code) == ("event", "0505")}
    drawn = [corpus.description_for(random.Random(i), "event", "0505") for i in range(60)]
    from_written = [d for d in drawn if any(w in d for w in written)]
    assert 25 < len(from_written) < 55  # two in three, the rest composed
    assert len(set(drawn)) > 40
    assert corpus.description_for(random.Random(1), "event", "9999") == ""


def test_demo_descriptions_keep_to_the_writer_of_their_source():
    """A resident's report does not open with 巡查发现, nor a grid worker's with 打扰了."""
    for family, code in [("event", "0505"), ("event", "0102"), ("community", "0101")]:
        for by in ("patrol", "hotline", "resident"):
            drawn = [
                corpus.description_for(random.Random(i), family, code, by=by) for i in range(40)
            ]
            wrote = Counter(corpus.register_of(text) for text in drawn if text)
            # A patrol's plain statement without 巡查发现 reads like anybody's, never the hotline's.
            assert wrote.most_common(1)[0][0] == by, (family, code, by, drawn)
            assert set(wrote) <= ({by, "resident"} if by == "patrol" else {by}), wrote
    assert corpus.register_of("巡查发现：秀沿路1501弄北门外垃圾桶满溢") == "patrol"
    assert corpus.register_of("市民来电反映：康桥老街43号楼有人乱倒垃圾") == "hotline"
    assert corpus.register_of("打扰了，在田林十二村22号楼，五金店的货全堆在门外") == "resident"
