"""The job log's pure rules: the same events in any order, split into any batches and
delivered any number of times, give the same job."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from affbill_jobs.adapters import parts_codec
from affbill_jobs.domain.model import (
    Finished,
    Job,
    JobEvent,
    Logged,
    Mark,
    Progressed,
    Queued,
    Started,
    Status,
    fold,
    summarize,
)

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def mark(service: str, seq: int, second: float) -> Mark:
    return Mark(T0 + dt.timedelta(seconds=second), service, seq)


@st.composite
def service_story(draw: st.DrawFn, service: str, kind: str) -> list[JobEvent]:
    """One service's events in the order it produced them."""
    clock = draw(st.floats(0, 5))
    seq = draw(st.integers(1, 10**6))
    events: list[JobEvent] = []

    def next_mark() -> Mark:
        nonlocal clock, seq
        clock += draw(st.floats(0, 2))
        seq += draw(st.integers(1, 3))
        return mark(service, seq, clock)

    if draw(st.booleans()):
        events.append(Started(next_mark(), kind, f"{kind} title", "anna"))
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):
            step = draw(st.sampled_from(["customers", "documents"]))
            events.append(Progressed(next_mark(), step, draw(st.integers(0, 50)),
                                     draw(st.none() | st.integers(50, 60)),
                                     {"skipped": draw(st.integers(0, 5))}))
        else:
            events.append(Logged(next_mark(), "info", f"line {seq}"))
    if draw(st.booleans()):
        status = draw(st.sampled_from(list(Status)[2:]))
        events.append(Finished(next_mark(), status, {"documents_created": draw(st.integers(0, 9))},
                               "boom" if status is Status.FAILED else None))
    return events


@st.composite
def job_events(draw: st.DrawFn) -> list[JobEvent]:
    events: list[JobEvent] = []
    if draw(st.booleans()):
        events.append(Queued(mark("gateway", 1, 0), "batch_run", "Process selected", "anna"))
    events += draw(service_story("billing", "batch_run"))
    if draw(st.booleans()):
        events += draw(service_story("documents", "rendering"))
    if not events:
        events.append(Queued(mark("gateway", 1, 0), "batch_run", "Process selected", "anna"))
    return events


def job_of(events: list[JobEvent]) -> Job:
    return summarize(fold({}, events))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_order_any_batches_any_redelivery_gives_the_same_job(data: st.DataObject) -> None:
    events = data.draw(job_events())
    expected = job_of(events)
    shuffled = data.draw(st.permutations(events))
    redelivered = shuffled + data.draw(st.lists(st.sampled_from(events), max_size=5))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(redelivered)), max_size=4)))
    state: dict = {}
    for start, end in zip([0, *cuts], [*cuts, len(redelivered)], strict=True):
        parts = fold(parts_codec.load(state), redelivered[start:end])  # as the consumer does
        state = parts_codec.dump(parts)
    assert summarize(parts_codec.load(state)) == expected


@settings(max_examples=200, deadline=None)
@given(job_events())
def test_status_follows_the_parts(events: list[JobEvent]) -> None:
    job = job_of(events)
    by_service: dict[str, list[JobEvent]] = {}
    for e in events:
        by_service.setdefault(e.mark.service, []).append(e)
    finishes = [e for e in events if isinstance(e, Finished)]
    unfinished_work = [s for s, es in by_service.items()
                       if not any(isinstance(e, Finished) for e in es)
                       and any(isinstance(e, Started | Progressed) for e in es)]
    if unfinished_work:
        assert job.status is Status.RUNNING and job.finished_at is None
    elif finishes:
        worst = [Status.SUCCEEDED, Status.SUCCEEDED_WITH_WARNINGS, Status.CANCELLED,
                 Status.FAILED]
        assert job.status is max((f.status for f in finishes), key=worst.index)
        assert job.finished_at == max(f.mark.at for f in finishes)
    elif any(not isinstance(e, Queued) for e in events):
        assert job.status is Status.RUNNING
    else:
        assert job.status is Status.QUEUED and job.started_at is None


def test_a_finished_job_never_goes_back_to_running() -> None:
    start = Started(mark("billing", 1, 0), "batch_run", "Run", "anna")
    late_progress = Progressed(mark("billing", 2, 1), "customers", 10, 12)
    end = Finished(mark("billing", 3, 2), Status.SUCCEEDED, {"documents_created": 10})
    job = job_of([end, start, late_progress])
    assert job.status is Status.SUCCEEDED
    assert [(s, p.done) for s, p in job.progress] == [("billing", 10)]


def test_lines_or_progress_before_the_start_show_a_running_job() -> None:
    line = Logged(mark("billing", 5, 1), "info", "Document 1 created")
    assert job_of([line]).status is Status.RUNNING
    assert job_of([line]).kind is None
    queued = Queued(mark("gateway", 1, 0), "batch_run", "Process selected", "anna")
    assert job_of([queued]).status is Status.QUEUED
    job = job_of([line, queued])
    assert (job.status, job.kind, job.started_by) == (Status.RUNNING, "batch_run", "anna")


def test_a_job_of_two_services_ends_when_both_ended_with_the_worst_outcome() -> None:
    billing = [Started(mark("billing", 1, 0), "batch_run", "Process selected: 2", "anna"),
               Finished(mark("billing", 2, 5), Status.SUCCEEDED, {"documents_created": 2})]
    documents = [Started(mark("documents", 7, 3), "rendering", "Rendering", "anna"),
                 Finished(mark("documents", 9, 8), Status.FAILED, {"rendered": 1}, "no font")]
    running = job_of([*billing, documents[0]])
    assert running.status is Status.RUNNING and running.finished_at is None
    done = job_of(billing + documents)
    assert (done.status, done.kind, done.title) == (Status.FAILED, "batch_run",
                                                    "Process selected: 2")
    assert done.counts == {"documents_created": 2, "rendered": 1}
    assert done.reason == "no font"
    assert done.finished_at == T0 + dt.timedelta(seconds=8)


def test_warnings_outrank_success_and_progress_keeps_the_latest_per_step() -> None:
    events = [Progressed(mark("sync", 3, 2), "stats", 20, 40, {"fetched": 20}),
              Progressed(mark("sync", 2, 1), "stats", 10, 40, {"fetched": 10}),
              Progressed(mark("sync", 1, 0.5), "employees", 3, 3),
              Finished(mark("sync", 4, 3), Status.SUCCEEDED_WITH_WARNINGS)]
    job = job_of(events)
    assert job.status is Status.SUCCEEDED_WITH_WARNINGS
    assert [(p.step, p.done, dict(p.counters)) for _, p in job.progress] == [
        ("employees", 3, {}), ("stats", 20, {"fetched": 20})]


def test_a_cancelled_sync_ends_cancelled_with_its_reason() -> None:
    events = [Started(mark("sync", 1, 0), "standard_sync", "Standard sync", "anna"),
              Finished(mark("sync", 2, 1), Status.CANCELLED, {}, "Cancelled by anna")]
    job = job_of(events)
    assert (job.status, job.reason) == (Status.CANCELLED, "Cancelled by anna")
    assert job.finished_at == T0 + dt.timedelta(seconds=1)
