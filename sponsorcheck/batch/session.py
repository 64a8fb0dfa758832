"""The batch's HTTP session: a connection pool per host, the environment read once, and redirects
that leave a host handed back to the scheduler.

A redirect to another host is a request to that host: it must wait for that host's robots.txt,
delay and cap like any other. While `stop_at_other_hosts()` is active in a thread (the batch's
page fetches), following such a redirect raises `HostRedirect` with the new address instead; the
runner queues that address on its host's slot. Redirects within one host are followed at once,
as before (one host, one slot).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import requests

from sponsorcheck.batch.table import origin_of
from sponsorcheck.fetch import make_session

DEFAULT_WORKERS = 16
DEFAULT_PER_HOST = 2

# Connection pools kept at once: one per host of a tour, so robots.txt and the pages share a connection.
HOST_POOLS = 512
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number (malloc.h)
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's own starting value, kept fixed (see tune_allocator)


def batch_session(workers: int = DEFAULT_WORKERS, per_host: int = DEFAULT_PER_HOST) -> requests.Session:
    """fetch.make_session tuned for a tour: a connection pool per host."""
    session = make_session(pool_size=workers)
    session.__class__ = HostHopSession  # same state; redirects to another host become HostRedirect
    adapter = requests.adapters.HTTPAdapter(pool_connections=HOST_POOLS, pool_maxsize=per_host, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session  # make_session has read the environment once (fetch.read_environment_once)


def tune_allocator() -> None:
    """On glibc, return big buffers (page bodies, parsed trees) to the system as soon as they are freed.

    glibc raises its mmap threshold each time a large block is freed, after which page-sized buffers
    come from per-thread heaps that fragment and are never given back: a 1,000-row batch peaked at
    about 210 MB that way against about 125 MB with a fixed 128 KiB threshold (measured). A no-op
    on other C libraries.
    """
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("c")
        if not name:
            return
        libc = ctypes.CDLL(name)
        mallopt = getattr(libc, "mallopt", None)
        if mallopt is not None:
            mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    except (OSError, AttributeError, ValueError):
        pass


class HostRedirect(Exception):
    """A page redirected to another host (scheme://host:port); `location` is the absolute new address."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


_HOPS = threading.local()


@contextlib.contextmanager
def stop_at_other_hosts() -> Iterator[None]:
    """Inside, a redirect from one host to another raises HostRedirect instead of being followed."""
    _HOPS.stop = True
    try:
        yield
    finally:
        _HOPS.stop = False


class HostHopSession(requests.Session):
    """A Session whose redirects to another host stop with HostRedirect while stop_at_other_hosts() is on."""

    def get_redirect_target(self, resp: Any) -> str | None:
        location = super().get_redirect_target(resp)
        if location and getattr(_HOPS, "stop", False):
            absolute = urljoin(resp.url, location)
            if origin_of(absolute) != origin_of(resp.url):
                resp.close()  # the body of a redirect is not read: the connection is simply dropped
                raise HostRedirect(absolute)
        return location
