"""The floor: plain concurrent GETs of a list of URLs (requests + a thread pool), no politeness, no processing.

It is what the network allows at best, knowing every URL up front. The benchmark runs it over two
lists: the tour's row pages, and every page batch actually read (row pages, the sponsor pages they
link to, whatever else it requested), so the second floor is the fair one for a tour whose
sponsors are one or two links away.
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

FLOOR_REQUEST_TIMEOUT_S = 30.0
MAX_POOLS = 256  # connection pools: one per loopback host


def read_url_list(path: Path) -> list[str]:
    """The URLs of a list file, one per line."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_url_list(path: Path, urls: list[str]) -> Path:
    """Write URLs one per line (the floor child's input)."""
    path.write_text("".join(u + "\n" for u in urls), encoding="utf-8")
    return path


def fetch_floor(url_list: Path, workers: int) -> int:
    """Child entry point: GET every URL of the list with a thread pool, no processing; print JSON."""
    import requests
    from requests.adapters import HTTPAdapter

    urls = read_url_list(url_list)
    session = requests.Session()
    session.trust_env = False  # loopback only, never a proxy
    # One shared pool sized for every host and worker: the cheapest way requests can do it.
    adapter = HTTPAdapter(pool_connections=MAX_POOLS, pool_maxsize=workers)
    session.mount("http://", adapter)

    def get(url: str) -> tuple[int, int, str]:
        try:
            response = session.get(url, timeout=FLOOR_REQUEST_TIMEOUT_S)
            return response.status_code, len(response.content), ""
        except requests.RequestException as exc:
            return 0, 0, f"{type(exc).__name__}: {exc}"

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(get, urls))
    errors = [err for _, _, err in results if err]
    summary = {
        "urls": len(urls),
        "ok": sum(1 for status, _, _ in results if status == 200),
        "statuses": dict(Counter(str(status) for status, _, _ in results)),
        "bytes": sum(size for _, size, _ in results),
        "errors": len(errors),
        "first_errors": errors[:5],
    }
    print(json.dumps(summary))
    return 0
