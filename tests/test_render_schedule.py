"""How batch schedules browser loads among a host's visits (the scheduler alone, on a fake clock: no browser).

A rendered page is one visit to its host: the fetch brought the page (taking the host's turn), and the
browser, handed those bytes, only asks for what the page's scripts want next. So a render that follows
its own fetch takes no second turn; one that waited while the host was visited again is a visit of its
own and waits for the delay. The host's cap on work in flight holds for both.
"""

from __future__ import annotations

import threading

import pytest

from sponsorcheck.batch.robots import RobotsRules
from sponsorcheck.batch.scheduler import FETCH_KINDS, RENDER, RENDER_KINDS, _Scheduler, _Task

HOST = "http://fest.example"


def scheduler_with_robots_read(per_host: int = 2, delay: float = 10.0) -> tuple[_Scheduler, list[float]]:
    now = [100.0]
    scheduler = _Scheduler(per_host, delay, True, "ua", threading.Event(), clock=lambda: now[0])
    scheduler.add(f"{HOST}/a")
    robots = scheduler._pick(now[0])
    assert isinstance(robots, _Task) and robots.kind == "robots"
    scheduler.finish(robots, RobotsRules())
    return scheduler, now


def test_a_render_right_after_its_fetch_takes_no_second_turn():
    scheduler, now = scheduler_with_robots_read()
    fetch = scheduler._pick(now[0], FETCH_KINDS)
    assert isinstance(fetch, _Task) and fetch.kind == "page" and fetch.visit == 1
    scheduler.finish(fetch)
    scheduler.add(f"{HOST}/a", kind=RENDER, urgent=True, visit=fetch.visit)
    render = scheduler._pick(now[0] + 0.1, RENDER_KINDS)  # the host's next turn is 10 s away
    assert isinstance(render, _Task) and render.kind == RENDER and render.url == f"{HOST}/a"
    # The host's turn is untouched: its next page still waits for the delay from the fetch.
    scheduler.add(f"{HOST}/b")
    assert scheduler._pick(now[0] + 0.2, FETCH_KINDS) == pytest.approx(9.8)


def test_a_render_that_waited_past_another_visit_waits_for_its_own_turn():
    scheduler, now = scheduler_with_robots_read()
    scheduler.add(f"{HOST}/b")
    first = scheduler._pick(now[0], FETCH_KINDS)
    assert isinstance(first, _Task)
    scheduler.finish(first)
    now[0] += 10.0
    second = scheduler._pick(now[0], FETCH_KINDS)
    assert isinstance(second, _Task) and second.visit == first.visit + 1
    scheduler.finish(second)
    # The first page's render comes only now (the browser was busy): the host was visited since.
    scheduler.add(first.url, kind=RENDER, urgent=True, visit=first.visit)
    waiting = scheduler._pick(now[0] + 1.0, RENDER_KINDS)
    assert waiting == pytest.approx(9.0)  # seconds until the host's next turn
    render = scheduler._pick(now[0] + 10.0, RENDER_KINDS)
    assert isinstance(render, _Task) and render.url == first.url and render.visit == second.visit + 1


def test_a_render_of_a_cached_page_is_a_visit_of_its_own():
    scheduler, now = scheduler_with_robots_read()
    fetch = scheduler._pick(now[0], FETCH_KINDS)
    assert isinstance(fetch, _Task)
    scheduler.finish(fetch)
    scheduler.add(f"{HOST}/cached", kind=RENDER, urgent=True, visit=0)  # no visit brought this page
    assert scheduler._pick(now[0] + 1.0, RENDER_KINDS) == pytest.approx(9.0)


def test_a_render_continuing_its_visit_still_counts_against_the_hosts_cap():
    scheduler, now = scheduler_with_robots_read(per_host=1)
    fetch = scheduler._pick(now[0], FETCH_KINDS)
    assert isinstance(fetch, _Task)
    scheduler.add(f"{HOST}/a", kind=RENDER, urgent=True, visit=fetch.visit)
    # The fetch is still in flight: the host's one place is taken.
    assert not isinstance(scheduler._pick(now[0], RENDER_KINDS), _Task)
    scheduler.finish(fetch)
    render = scheduler._pick(now[0], RENDER_KINDS)
    assert isinstance(render, _Task)
    scheduler.add(f"{HOST}/b")
    now[0] += 20.0
    assert not isinstance(scheduler._pick(now[0], FETCH_KINDS), _Task)  # the render holds the place
    scheduler.finish(render)
    assert isinstance(scheduler._pick(now[0], FETCH_KINDS), _Task)
