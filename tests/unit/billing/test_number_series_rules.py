"""Number series as data: formats, yearly reset, and a used series keeps its format."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from affbill_billing.domain.numbering import (
    NumberSeries,
    Reset,
    first_counter,
    format_problems,
    last_counter_of,
    locked_changes,
)

DAY = dt.date(2026, 11, 2)


def test_prefix_width_suffix_and_the_year() -> None:
    series = NumberSeries("RE/{yyyy}/", "-DE", 4, 100, "-ST", Reset.YEARLY)
    assert series.format(101, DAY) == "RE/2026/0101-DE"
    assert series.format(7, DAY, cancellation=True) == "RE/2026/0007-DE-ST"


def test_a_yearly_series_starts_again_in_a_new_year_and_never_goes_back() -> None:
    yearly = NumberSeries(prefix="INV-{yyyy}-", start=10, reset=Reset.YEARLY)
    assert first_counter(yearly, None, None, 2026) == 10
    assert first_counter(yearly, 41, 2026, 2026) == 42
    assert first_counter(yearly, 41, 2026, 2027) == 10
    # a late (backdated) document continues its own year's counter, never the new year's
    assert first_counter(yearly, 3, 2027, 2026, {2026: 41}) == 42
    assert first_counter(yearly, 3, 2027, 2025) == 10  # a year that gave no number yet
    assert last_counter_of(yearly, ["INV-2026-00041", "INV-2026-00043-S", "INV-2025-00099",
                                    "INV-2026-X"], 2026) == 43  # a correction counts too
    never = NumberSeries(start=10)
    assert first_counter(never, 41, 2026, 2027) == 42


@given(st.integers(1, 3), st.lists(st.sampled_from([2026, 2027, 2028]), min_size=1,
                                    max_size=30).map(sorted))
def test_numbers_are_gapless_per_year_and_unique(start: int, years: list[int]) -> None:
    series = NumberSeries(prefix="INV-{yyyy}-", start=start, reset=Reset.YEARLY)
    last, year_of, numbers = None, None, []
    for year in years:
        counter = first_counter(series, last, year_of, year)
        numbers.append(series.format(counter, dt.date(year, 1, 1)))
        last, year_of = counter, max(year_of or year, year)
    assert len(set(numbers)) == len(numbers)
    for year in set(years):
        counters = [int(n.rsplit("-", 1)[1]) for n in numbers if f"-{year}-" in n]
        assert counters == list(range(start, start + len(counters)))


def test_bad_formats_name_the_field() -> None:
    assert format_problems(NumberSeries()) == []
    assert [f for f, _ in format_problems(NumberSeries(prefix="INV-", reset=Reset.YEARLY))
            ] == ["reset"]
    assert [f for f, _ in format_problems(NumberSeries(prefix="IN V"))] == ["prefix"]
    assert [f for f, _ in format_problems(NumberSeries(padding=0))] == ["padding"]
    assert [f for f, _ in format_problems(NumberSeries(cancellation_suffix=""))] == [
        "cancellation_suffix"]


def test_a_series_that_numbered_documents_keeps_its_format() -> None:
    current = NumberSeries()
    change = {"prefix": "R-{yyyy}-", "padding": 5}
    assert locked_changes(change, current, issued=False) == []
    assert locked_changes(change, current, issued=True) == ["prefix"]  # padding unchanged
    assert locked_changes({"start": 50}, current, issued=True) == ["start"]


@given(st.integers(1, 3), st.lists(st.sampled_from([2026, 2027, 2028]), min_size=1,
                                    max_size=30))
def test_backdated_documents_continue_their_years_counter(start: int, years: list[int]
                                                          ) -> None:
    """Documents in any order of years (late backdated ones among them): numbers never
    repeat and every year's counters are gapless. `kept` is each year's last counter, as
    number_series_years keeps it (read from the year's numbers at its first late one)."""
    series = NumberSeries(prefix="INV-{yyyy}-", start=start, reset=Reset.YEARLY)
    last, year_of, numbers = None, None, []
    kept: dict[int, int] = {}
    for year in years:
        counter = first_counter(series, last, year_of, year, kept)
        number = series.format(counter, dt.date(year, 1, 1))
        numbers.append(number)
        assert last_counter_of(series, numbers, year) == counter
        kept[year] = counter
        if year_of is None or year >= year_of:
            last, year_of = counter, year
    assert len(set(numbers)) == len(numbers)
    for year in set(years):
        counters = [int(n.rsplit("-", 1)[1]) for n in numbers if f"-{year}-" in n]
        assert counters == list(range(start, start + len(counters)))
