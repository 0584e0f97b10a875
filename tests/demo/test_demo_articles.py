"""Synthetic articles: reproducible, some with personal data, a drifted mix that differs."""

from __future__ import annotations

from collections import Counter

from scipy import stats

from glassbox.demo import ArticleSource
from glassbox.demo._articles import DRIFTED_MIX, NORMAL_MIX, TOPICS


def test_articles_are_reproducible_under_a_seed() -> None:
    first = [ArticleSource(seed=3).next() for _ in range(1)]
    a, b = ArticleSource(seed=3), ArticleSource(seed=3)
    assert [a.next() for _ in range(50)] == [b.next() for _ in range(50)]
    assert first[0] != ArticleSource(seed=4).next()


def test_about_a_quarter_quote_contact_details_in_the_body() -> None:
    source = ArticleSource(seed=1)
    articles = [source.next() for _ in range(2000)]
    with_contact = [a for a in articles if a.contact]
    assert 0.2 < len(with_contact) / len(articles) < 0.3
    assert all(a.contact and a.contact in a.body for a in with_contact)
    assert any("@" in (a.contact or "") for a in with_contact)
    assert any((a.contact or "").startswith("+44") for a in with_contact)


def test_the_drifted_mix_is_political_and_longer() -> None:
    source = ArticleSource(seed=2)
    normal = [source.next() for _ in range(1000)]
    source.drifted = True
    drifted = [source.next() for _ in range(1000)]
    share = Counter(a.topic for a in drifted)["politics"] / len(drifted)
    assert share > 0.5 > Counter(a.topic for a in normal)["politics"] / len(normal)
    assert sum(a.words for a in drifted) > 1.5 * sum(a.words for a in normal)
    assert set(NORMAL_MIX) == set(DRIFTED_MIX) == set(TOPICS)


def test_sample_does_not_advance_the_live_stream() -> None:
    a, b = ArticleSource(seed=5), ArticleSource(seed=5)
    reference = a.sample(100)
    assert len(reference) == 100
    assert a.next().id == b.next().id == "a-000001"


def test_sample_is_drawn_like_the_live_stream_contacts_included() -> None:
    """A reference without the quoted contacts was 25% of articles five words short of
    the stream: the drift watch's excess test saw it as drift in a clean run."""
    source = ArticleSource(seed=7)
    reference = source.sample(4000)
    live = [source.next() for _ in range(4000)]
    assert 0.2 < sum(r.contact is not None for r in reference) / 4000 < 0.3
    assert Counter(a.words for a in reference).keys() == Counter(a.words for a in live).keys()
    assert stats.mannwhitneyu([a.words for a in reference], [a.words for a in live]).pvalue > 0.001


def test_the_demo_drift_watch_is_quiet_on_the_usual_mix_and_sees_the_drifted_one() -> None:
    """The watch as the demo runs it: a 60-article window checked every 5 articles."""
    from glassbox.demo._run import _DriftWatch
    from glassbox.demo._stats import NewsroomStats

    source = ArticleSource(seed=7)
    watch, stats_ = _DriftWatch(source), NewsroomStats()
    for i in range(1, 1201):
        watch.add(source.next())
        if i % 5 == 0:
            watch.check(stats_)
    assert stats_.drift_checks == 240
    assert stats_.drift_detected == 0
    source.drifted = True
    for _ in range(60):
        watch.add(source.next())
    watch.check(stats_)
    assert stats_.drift_detected == 1
