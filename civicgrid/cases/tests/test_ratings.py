"""评价记录: every rating of every closure is kept; the first of each closure counts in 满意率,
including a 不满意 that reopened the case (it used to vanish with the cleared Case.rating)."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection

from civicgrid.cases import indicators, services
from civicgrid.cases.choices import CaseStatus, Rating, RatingChannel
from civicgrid.cases.models import Case, CaseRating
from civicgrid.testing.cases import case_in_state

NOVEMBER = indicators.period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def _rate_again_after_rework(case, users, rating):
    """Handle and close the reopened case again, then rate it."""
    services.do_handle(case, users["handler"], result="已再次清理并加装围挡")
    services.do_verify_pass(case, users["operator"])
    services.do_rate(case, users["resident"], rating=rating)
    case.refresh_from_db()
    return case


@pytest.fixture
def three_closures(users, garbage, clock):
    """Two cases, three closures: one 不满意 (reopened), then 满意; the other 满意."""
    reopened = case_in_state("rated", users, cat=garbage, rating=Rating.UNSATISFIED)
    assert reopened.status == CaseStatus.ACCEPTED and reopened.rating == ""
    reopened = _rate_again_after_rework(reopened, users, Rating.SATISFIED)
    happy = case_in_state("rated", users, cat=garbage, rating=Rating.SATISFIED)
    return reopened, happy


def test_each_closure_keeps_its_rating(three_closures):
    reopened, happy = three_closures
    rows = list(
        CaseRating.objects.filter(case=reopened).values_list("closure", "rating", "counted")
    )
    assert rows == [(1, Rating.UNSATISFIED, True), (2, Rating.SATISFIED, True)]
    assert reopened.rating == Rating.SATISFIED
    assert (reopened.rated_closures, reopened.satisfied_closures) == (2, 1)
    assert (happy.rated_closures, happy.satisfied_closures) == (1, 1)
    record = CaseRating.objects.get(case=happy)
    assert record.channel == RatingChannel.RESIDENT and record.rated_by.username == "resident"


def test_satisfaction_rate_counts_the_unsatisfied_rating_that_reopened(users, three_closures):
    (row,) = indicators.compute(users["operator"], *NOVEMBER)
    assert (row["rated"], row["satisfied"]) == (3, 2)
    assert row["satisfaction_rate"] == 66.7


def test_rating_records_cannot_be_changed(three_closures):
    record = CaseRating.objects.first()
    record.rating = Rating.SATISFIED
    with pytest.raises(ValueError):
        record.save()
    with pytest.raises(ValueError):
        CaseRating.objects.filter(pk=record.pk).update(rating=Rating.SATISFIED)
    with pytest.raises(ValueError):
        record.delete()


def test_a_rating_through_the_link_and_at_the_return_visit(users, garbage, clock):
    by_link = case_in_state("closed", users, cat=garbage)
    services.do_rate(by_link, None, rating=Rating.BASICALLY, token=by_link.public_token)
    visited = case_in_state("closed", users, cat=garbage)
    services.do_rate(visited, users["operator"], rating=Rating.UNSATISFIED, resolved=False)
    link_row = CaseRating.objects.get(case=by_link)
    visit_row = CaseRating.objects.get(case=visited)
    assert (link_row.channel, link_row.rated_by) == (RatingChannel.LINK, None)
    assert (visit_row.channel, visit_row.rated_by) == (
        RatingChannel.RETURN_VISIT,
        users["operator"],
    )
    assert visit_row.resolved is False


def test_the_migration_recovers_past_ratings_from_the_history(users, garbage, clock):
    """Ratings given before the records existed are carried over from the history rows, the
    cleared 不满意 of a reopened case included."""
    reopened = case_in_state("rated", users, cat=garbage, rating=Rating.UNSATISFIED)
    reopened = _rate_again_after_rework(reopened, users, Rating.BASICALLY)
    other = case_in_state("rated", users, cat=garbage, rating=Rating.SATISFIED)
    # As before the migration: no records, no counters.
    table = CaseRating._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"UPDATE {Case._meta.db_table} SET rated_closures = 0, satisfied_closures = 0"
        )
    migration = importlib.import_module("civicgrid.cases.migrations.0013_case_rating_records")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.carry_ratings(apps, editor)

    rows = list(
        CaseRating.objects.order_by("case_id", "closure").values_list(
            "case_id", "closure", "rating", "counted", "channel"
        )
    )
    assert rows == [
        (reopened.pk, 1, Rating.UNSATISFIED, True, RatingChannel.RESIDENT),
        (reopened.pk, 2, Rating.BASICALLY, True, RatingChannel.RESIDENT),
        (other.pk, 1, Rating.SATISFIED, True, RatingChannel.RESIDENT),
    ]
    reopened.refresh_from_db()
    assert (reopened.rated_closures, reopened.satisfied_closures) == (2, 1)
    (row,) = indicators.compute(users["operator"], *NOVEMBER)
    assert row["satisfaction_rate"] == 66.7


def test_an_unrated_reopened_case_counts_its_first_rating_only(users, garbage, clock):
    case = case_in_state("rated", users, cat=garbage, rating=Rating.UNSATISFIED)
    assert case.status == CaseStatus.ACCEPTED  # reopened, being handled again
    (row,) = indicators.compute(users["operator"], *NOVEMBER)
    assert (row["rated"], row["satisfied"], row["satisfaction_rate"]) == (1, 0, 0.0)
