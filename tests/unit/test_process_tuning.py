"""The garbage collector's tuning a service applies when its runtime is made."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from affbill_runtime.process import tune_garbage_collector
from affbill_runtime.settings import ServiceSettings


@pytest.fixture
def restored() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()


def test_the_young_generation_threshold_is_set_and_what_exists_is_frozen(restored: None) -> None:
    _, older, oldest = gc.get_threshold()
    tune_garbage_collector(50_000)
    assert gc.get_threshold() == (50_000, older, oldest)
    assert gc.get_freeze_count() > 0


def test_zero_keeps_pythons_defaults(restored: None) -> None:
    before = gc.get_threshold()
    tune_garbage_collector(0)
    assert gc.get_threshold() == before


def test_the_setting_defaults_to_a_large_young_generation_and_refuses_negative() -> None:
    assert ServiceSettings(service_name="x").gc_young_threshold == 100_000
    with pytest.raises(ValueError, match="gc_young_threshold"):
        ServiceSettings(service_name="x", gc_young_threshold=-1)
