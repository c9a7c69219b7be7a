"""The follow cursor: what is handed out reads back the same; anything else is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from affbill_jobs.domain.cursor import Page, Tail, decode, encode
from affbill_jobs.domain.model import Mark

marks = st.builds(Mark, st.datetimes(min_value=dt.datetime(2000, 1, 1),
                                     timezones=st.just(dt.UTC)),
                  st.text(min_size=1, max_size=20), st.integers(0, 2**62))
cursors = st.builds(Tail, st.integers(0, 2**40)) | st.builds(
    Page, st.integers(0, 2**40), st.none() | marks)


@given(cursors)
def test_cursors_read_back_as_handed_out(cursor: Tail | Page) -> None:
    text = encode(cursor)
    assert decode(text) == cursor
    assert text.replace("-", "").replace("_", "").isalnum()  # safe in a query string


@pytest.mark.parametrize("text", ["", "-1", "abc", "p", "p!!", "pMXx4fHk", "12x", "²"])
def test_foreign_cursors_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a cursor"):
        decode(text)
