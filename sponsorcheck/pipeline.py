"""The check pipeline for one target: load → (render) → extract (with discovery) → match → verdict → Result.

`check_target` never raises for a target that cannot be read: it returns a Result with verdict
"error", so a batch or a multi-target check goes on. Usage errors (a bad scheme) still raise.
A page is rendered in a browser when the options ask for it (see render.py); a render that fails
leaves the plain reading with a hint, so rendering never makes an answer worse. With an evidence
store, every conflict or review keeps what was read (see evidence.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import IO, Protocol

from sponsorcheck.allow import Allowlist
from sponsorcheck.errors import SponsorcheckError, TargetError
from sponsorcheck.extract import JS_HINT, extract
from sponsorcheck.extract.units import hides_a_sponsor, unnamed_hint
from sponsorcheck.fetch import Fetcher, load_target
from sponsorcheck.match import DEFAULT_MIN_SCORE, Matcher, is_strong
from sponsorcheck.models import Candidate, ErrorInfo, Evidence, Extraction, Finding, Level, Page, Result, Role, Verdict
from sponsorcheck.normalize import normalize_name
from sponsorcheck.render import Rendered, RenderMode, RenderPolicy, needs_render
from sponsorcheck.verdict import counted_role, decide, evaluate
from sponsorcheck.watchlist import Watchlist


@dataclass(frozen=True)
class CheckOptions:
    """What the user chose for a check."""

    follow: int = 3  # extra same-site sponsor pages to read when the page has none or links to one
    min_score: int = DEFAULT_MIN_SCORE
    allow: Allowlist | None = None  # findings a person decided do not count
    render: RenderMode = RenderMode.NEVER
    renderer: PageRenderer | None = None  # None while render is not "never": no browser here (see render_note)
    render_note: str = ""  # why no browser, said on the pages that would have been rendered
    evidence: EvidenceSink | None = None  # keeps what was read for every conflict or review


class PageRenderer(Protocol):
    """Loads a page in a browser (render.Renderer, or batch's polite wrapper around it)."""

    def render(
        self,
        url: str,
        policy: RenderPolicy | None = None,
        screenshot: bool = False,
        document: Page | None = None,
        allows: Callable[[str], bool] | None = None,
    ) -> Rendered: ...


@dataclass(frozen=True)
class PageRead:
    """One page read for a target: as fetched, and as the browser built it when it was rendered."""

    page: Page
    rendered: Rendered | None = None
    render_error: str = ""


class EvidenceSink(Protocol):
    """Where the evidence for a conflict or review goes (evidence.EvidenceStore)."""

    def save(self, result: Result, reads: Sequence[PageRead]) -> str: ...


@dataclass
class _Reads:
    """The pages read for one target, in order (kept for the evidence)."""

    items: list[PageRead] = field(default_factory=list)


_MATCHERS: dict[tuple[int, ...], Matcher] = {}


def matcher_for(watchlists: Sequence[Watchlist] | Matcher, min_score: int = DEFAULT_MIN_SCORE) -> Matcher:
    """A compiled Matcher for these watchlists (built once per process and reused)."""
    if isinstance(watchlists, Matcher):
        return watchlists
    key = (*(id(w) for w in watchlists), min_score)
    if key not in _MATCHERS:
        _MATCHERS[key] = Matcher(watchlists, min_score=min_score)
    return _MATCHERS[key]


def result_from(
    target: str, url: str, extraction: Extraction, matcher: Matcher, allow: Allowlist | None = None
) -> Result:
    """Match an extraction and decide its verdict."""
    findings = _without_repeats(evaluate(extraction.candidates, matcher, allow), extraction.candidates)
    found = {f.sponsor for f in findings}
    roles = {c.name: counted_role(c) for c in extraction.candidates}
    # What the sweep found is shown when it matched: as a finding (sponsor, identity) or a mention.
    sponsors = tuple(
        c for c in extraction.candidates if roles[c.name] is Role.SPONSOR and (not c.swept or c.name in found)
    )
    mentions = _mentions(
        [_with_entity(c, matcher) for c in extraction.candidates if roles[c.name] is Role.MENTION], findings
    )
    # The page's own site is a candidate only to be matched; it is shown when it matched.
    sponsors += tuple(c for c in extraction.candidates if c.role is Role.IDENTITY and c.name in found)
    verdict = decide(findings, extraction, sponsors)
    if extraction.truncated and verdict is Verdict.CLEAR:
        verdict = Verdict.REVIEW  # not every name was checked: a person must look, never "clear"
    hints = extraction.hints if verdict is Verdict.UNKNOWN or extraction.truncated else ()
    if extraction.unnamed and verdict is not Verdict.CONFLICT:
        if hides_a_sponsor(extraction.unnamed):
            verdict = Verdict.REVIEW  # a logo behind a short link nobody followed: a person must look, never clear
        hints = (*hints, unnamed_hint(extraction.unnamed))  # every answer but a conflict says what it could not read
    return Result(
        target=target,
        url=url,
        verdict=verdict,
        sponsors=sponsors,
        findings=tuple(findings),
        mentions=mentions,
        pages_read=extraction.pages_read,
        hints=hints,
    )


def _without_repeats(findings: list[Finding], candidates: Sequence[Candidate]) -> list[Finding]:
    """The sweep accounts for what the section walk missed: a swept sighting of an entity the walk already
    found at the same level or higher (or allowed) adds nothing but a second line, so it is left out."""
    swept = {c.name for c in candidates if c.swept}
    rank = {Level.CONFLICT: 3, Level.ALLOWED: 3, Level.REVIEW: 1}
    walk_best: dict[tuple[str, str], int] = {}
    for f in findings:
        if f.sponsor not in swept:
            key = (f.pledge, f.entity)
            walk_best[key] = max(walk_best.get(key, 0), rank[f.level])
    return [f for f in findings if f.sponsor not in swept or rank[f.level] > walk_best.get((f.pledge, f.entity), 0)]


def _mentions(mentions: list[Candidate], findings: Sequence[Finding]) -> tuple[Candidate, ...]:
    """Mentions to show: the walk's, and the sweep's that name a watchlisted entity not already shown for the same
    reason (nor under the same name as a finding)."""
    shown: set[tuple[str | None, str | None]] = {(m.entity, m.note) for m in mentions if not m.swept and m.entity}
    found = {f.sponsor for f in findings}
    out = []
    for m in mentions:
        if m.swept and (not m.entity or (m.entity, m.note) in shown or m.name in found):
            continue
        shown.add((m.entity, m.note))
        out.append(m)
    return tuple(out)


def _with_entity(mention: Candidate, matcher: Matcher) -> Candidate:
    """A mention with the watchlisted entity it names, when it names one (the user sees it was read)."""
    matches = [m for m in matcher.match_candidate(mention) if is_strong(m)]
    if not matches:
        return mention
    return replace(mention, entity=matches[0].entity, entity_name=matches[0].brand_name or matches[0].entity_name)


def analyse_html(html: str, url: str, watchlists: Sequence[Watchlist] | Matcher, target: str | None = None) -> Result:
    """Extract, match and decide for one HTML document, without any I/O."""
    page = Page(target or url, url, html)
    matcher = matcher_for(watchlists)
    return result_from(page.target, page.url, extract(page, matcher), matcher)


def check_target(
    target: str,
    fetcher: Fetcher,
    watchlists: Sequence[Watchlist] | Matcher,
    options: CheckOptions | None = None,
    stdin: IO[bytes] | None = None,
) -> Result:
    """Check one target; a target that cannot be read gives verdict "error" (never an exception)."""
    options = options or CheckOptions()
    matcher = matcher_for(watchlists, options.min_score)
    try:
        page = load_target(target, fetcher, stdin)
    except TargetError as exc:
        return error_result(target, exc.kind, exc.message, exception=exc)
    reads = _Reads()

    def read(page: Page) -> Extraction:
        return read_page(page, fetcher, options, reads, matcher)

    check = TargetCheck(target, matcher, options, read, reads)
    wanted = list(check.start(page))
    while wanted:  # one page at a time, in the order the check asked for them
        url = wanted.pop(0)
        try:
            followed, error = fetcher.fetch(url, target), None
        except SponsorcheckError as exc:
            followed, error = None, exc
        wanted.extend(check.arrived(url, followed, error))
    assert check.result is not None  # nothing left to read: the check has its answer
    return check.result


def with_provenance(result: Result, pages: Sequence[Page]) -> Result:
    """The result saying where its pages came from: the oldest download time among them, whether any was
    a cached copy, and whether the server confirmed every cached copy unchanged just now."""
    times = [p.fetched_at for p in pages if p.fetched_at]
    cached = [p for p in pages if p.from_cache]
    return replace(
        result,
        fetched_at=min(times) if times else None,
        from_cache=bool(cached),
        revalidated=bool(cached) and all(p.revalidated for p in cached),
    )


def read_page(
    page: Page, fetcher: Fetcher, options: CheckOptions, reads: _Reads | None = None, matcher: Matcher | None = None
) -> Extraction:
    """Extract one fetched page, rendering it first in a browser when the options say so.

    The rendered reading is merged with the plain one (a sponsor seen in either counts); a render that
    fails keeps the plain reading and says why in a hint.
    """
    plain = extract(page, matcher)
    as_is = render_wanted(page, plain, options, fetcher.offline)
    if as_is is not None:
        if reads is not None:
            reads.items.append(PageRead(page))
        return as_is
    assert options.renderer is not None
    try:
        rendered = options.renderer.render(
            page.url,
            RenderPolicy(deadline=fetcher.policy.deadline),
            screenshot=options.evidence is not None,
            document=page,  # the browser is handed the page as fetched, not sent to download it again
        )
    except SponsorcheckError as exc:
        return render_failed(page, plain, exc, reads)
    found = extract(rendered_page(page, rendered), matcher)
    return with_rendered(page, plain, rendered, found, reads)


def render_wanted(page: Page, plain: Extraction, options: CheckOptions, offline: bool) -> Extraction | None:
    """None when the page is to be loaded in the browser; else its reading as it stands (with a note why not)."""
    if not needs_render(options.render, page, plain):
        return plain
    if options.render is RenderMode.AUTO and options.follow > 0 and plain.sponsor_links:
        # Its sponsors are a link away: the linked page is read next (and rendered if a script builds it);
        # loading this one in a browser too would double a tour's renders for nothing.
        return plain
    if options.renderer is None or offline:
        why = options.render_note if options.renderer is None else "--offline: pages are not rendered"
        return replace(plain, hints=_render_hints(plain.hints, why)) if why else plain
    return None


def rendered_page(page: Page, rendered: Rendered) -> Page:
    """The DOM the browser built, as a page to extract."""
    return Page(page.target, rendered.url, rendered.html, "text/html", rendered.status)


def render_failed(page: Page, plain: Extraction, error: SponsorcheckError, reads: _Reads | None = None) -> Extraction:
    """The plain reading of a page whose render failed, saying why."""
    if reads is not None:
        reads.items.append(PageRead(page, None, error.message))
    return replace(plain, hints=_render_hints(plain.hints, f"rendering in a browser failed: {error.message}"))


def with_rendered(
    page: Page, plain: Extraction, rendered: Rendered, found: Extraction, reads: _Reads | None = None
) -> Extraction:
    """The plain and the rendered reading (`found`, from `rendered_page`) merged: a sponsor in either counts."""
    if reads is not None:
        reads.items.append(PageRead(page, rendered))
    pages = tuple(dict.fromkeys((*plain.pages_read, *found.pages_read)))
    notes: tuple[str, ...] = ()
    if not rendered.quiet:
        notes = (f"the page never went quiet in the browser; it was read as it stood after {rendered.seconds:.0f} s",)
    merged = merge_extractions([replace(plain, hints=()), found], pages, notes)
    hints = tuple(h for h in merged.hints if h != JS_HINT)
    if not _lists_sponsors(merged):
        hints = (RENDERED_NOTHING_HINT, *hints)
    return replace(merged, hints=hints, truncated=plain.truncated or found.truncated)


RENDERED_NOTHING_HINT = "the page was rendered in a browser and still lists no sponsors"


def _lists_sponsors(extraction: Extraction) -> bool:
    return any(c.in_sponsor_context and c.role is Role.SPONSOR for c in extraction.candidates)


def _render_hints(hints: tuple[str, ...], note: str) -> tuple[str, ...]:
    """The hints with today's 'save the rendered page' advice replaced by what happened with rendering."""
    return (*(h for h in hints if h != JS_HINT), note)


class TargetCheck:
    """One target's check as a state machine with no I/O of its own: handed the pages it asks for, it ends in a Result.

    States: first page given (`start`) → extracted → linked sponsor pages asked for → each handed back
    (`arrived`, any order) and extracted → merged → matched → `result`. `check_target` drives it
    with a Fetcher one page at a time; batch drives it from its scheduler, so a linked sponsors page
    waits in its host's queue instead of in a sleeping thread. Up to `options.follow` same-site
    sponsor pages are read breadth first; pages are taken in the order they were asked for whatever
    order they arrive in, so every driver reads the same pages and gets the same answer. A page
    that cannot be read adds a hint and the check goes on; evidence from a followed page names it.
    Not thread-safe: a driver hands one page at a time.
    """

    def __init__(
        self,
        target: str,
        matcher: Matcher,
        options: CheckOptions | None = None,
        read: Callable[[Page], Extraction] = extract,
        reads: _Reads | None = None,
    ) -> None:
        self.target = target
        self.matcher = matcher
        self.options = options or CheckOptions()
        self.read = read  # how a page becomes an Extraction (read_page renders; batch --jobs parses elsewhere)
        self.reads = reads  # the pages read, as `read` recorded them (for the evidence)
        self.result: Result | None = None
        self._url = target
        self._extractions: list[Extraction] = []
        self._read_pages: list[str] = []
        self._seen: set[str] = set()
        self._queue: list[str] = []
        self._budget = self.options.follow
        self._asked: list[str] = []  # follow-up pages asked for, in order
        self._arrived: dict[str, tuple[str, Extraction | None, str]] = {}  # url → (final url, extraction, failure)
        self._taken = 0  # follow-ups of _asked merged so far (in order)
        self._failures: list[str] = []

    @property
    def done(self) -> bool:
        """True once the Result is known."""
        return self.result is not None

    def start(self, page: Page) -> tuple[str, ...]:
        """Extract the target's own page; return the linked sponsor pages to fetch now (none: `result` is set)."""
        first = self.read(page)
        self._url = page.url
        self._extractions = [first]
        self._read_pages = list(first.pages_read)
        self._seen = set(first.pages_read)
        if self._budget > 0:
            self._queue = [u for u in first.sponsor_links if u not in self._seen]
        return self._advance()

    def arrived(self, url: str, page: Page | None, error: SponsorcheckError | None = None) -> tuple[str, ...]:
        """A page asked for, or why it could not be read; return the further pages to fetch now."""
        if url not in self._asked or url in self._arrived:
            return ()
        if page is None:
            reason = error.message if error is not None else "no page"
            self._arrived[url] = (url, None, f"could not read the linked sponsor page {url}: {reason}")
        else:
            self._arrived[url] = (page.url, _with_page(self.read(page), page.url), "")
        return self._advance()

    def _advance(self) -> tuple[str, ...]:
        while self._taken < len(self._asked) and self._asked[self._taken] in self._arrived:
            url = self._asked[self._taken]
            self._taken += 1
            final, found, failure = self._arrived.pop(url)
            self._read_pages.append(url)
            if failure:
                self._failures.append(failure)
                continue
            if final != url and final not in self._seen:
                self._seen.add(final)
                self._read_pages.append(final)
            assert found is not None
            self._extractions.append(found)
            self._queue.extend(u for u in found.sponsor_links if u not in self._seen and u not in self._queue)
        wanted: list[str] = []
        while self._queue and self._budget > 0:
            url = self._queue.pop(0)
            if url in self._seen:
                continue
            self._budget -= 1
            self._seen.add(url)
            self._asked.append(url)
            wanted.append(url)
        if not wanted and self._taken == len(self._asked):
            self._finish()
        return tuple(wanted)

    def _finish(self) -> None:
        first = self._extractions[0]
        if self.options.follow <= 0 or not first.sponsor_links:
            extraction = first  # nothing to follow: the page's own reading, unmerged
        else:
            extraction = merge_extractions(self._extractions, tuple(self._read_pages), tuple(self._failures))
        result = result_from(self.target, self._url, extraction, self.matcher, self.options.allow)
        items = self.reads.items if self.reads is not None else []
        rendered = tuple(r.rendered.url for r in items if r.rendered is not None)
        if rendered:
            result = replace(result, rendered=rendered)
        if self.reads is not None:
            result = with_provenance(result, [r.page for r in items])
        if self.options.evidence is not None and result.verdict in (Verdict.CONFLICT, Verdict.REVIEW):
            result = replace(result, evidence=self.options.evidence.save(result, items))
        self.result = result


def _with_page(extraction: Extraction, url: str) -> Extraction:
    """The same extraction with the page URL added to every piece of evidence's `where`."""
    candidates = tuple(
        replace(
            c,
            evidence=tuple(replace(e, where=f"{e.where} — {url}" if e.where else url) for e in c.evidence),
        )
        for c in extraction.candidates
    )
    return replace(extraction, candidates=candidates)


def merge_extractions(
    extractions: Sequence[Extraction], pages_read: tuple[str, ...], extra_hints: tuple[str, ...] = ()
) -> Extraction:
    """One Extraction for several pages of a target: a sponsor found on two pages is listed once."""
    merged: dict[str, Candidate] = {}
    for extraction in extractions:
        for c in extraction.candidates:
            key = normalize_name(c.name) or c.name.casefold()
            prev = merged.get(key)
            if prev is None:
                merged[key] = c
            elif _sighting_rank(c) > _sighting_rank(prev):
                # Not "first sighting wins": a mention on the home page must not hide the same name listed
                # as a sponsor on a followed page.
                extra = tuple(e for e in prev.evidence if e not in c.evidence)
                merged[key] = replace(c, evidence=c.evidence + extra, past=c.past and prev.past)
            else:
                extra = tuple(e for e in c.evidence if e not in prev.evidence)
                merged[key] = replace(prev, evidence=prev.evidence + extra, past=prev.past and c.past)
    candidates = tuple(merged.values())
    found = any(c.in_sponsor_context and c.role is Role.SPONSOR for c in candidates)
    hints: list[str] = []
    for extraction in extractions:
        # Why nothing was found matters only when nothing was; a truncated page's hint always does.
        if not found or extraction.truncated:
            hints.extend(h for h in extraction.hints if h not in hints)
    hints.extend(extra_hints)
    return Extraction(
        candidates,
        any(e.sponsor_context for e in extractions),
        pages_read,
        tuple(hints),
        tuple(dict.fromkeys(u for e in extractions for u in e.sponsor_links)),
        truncated=any(e.truncated for e in extractions),  # one page not checked in full: never clear
        unnamed=tuple({e.text: e for x in extractions for e in x.unnamed}.values()),  # one logo on two pages: once
    )


def _sighting_rank(c: Candidate) -> tuple[bool, bool, bool]:
    """Which of two sightings of one name speaks for it: a sponsor over a mention, in a sponsor list over outside."""
    return (c.role is not Role.MENTION, c.in_sponsor_context, not c.past)


def error_result(target: str, kind: str, message: str, url: str = "", exception: BaseException | None = None) -> Result:
    """A Result saying why the target could not be checked (`exception`, if given, is kept for --debug)."""
    return Result(target=target, url=url or target, verdict=Verdict.ERROR, error=ErrorInfo(kind, message, exception))


def check_names(
    names: Iterable[str],
    watchlists: Sequence[Watchlist] | Matcher,
    target: str = "names",
    allow: Allowlist | None = None,
    year: int | None = None,
) -> Result:
    """Check a sponsor list given as text: every name is a sponsor in a sponsor context (of `year`, if known)."""
    candidates = tuple(
        Candidate(
            name=n, evidence=(Evidence("text", n, "given name"),), in_sponsor_context=True, page=target, year=year
        )
        for n in dict.fromkeys(n.strip() for n in names)
        if n
    )
    extraction = Extraction(candidates, bool(candidates), ())
    return result_from(target, target, extraction, matcher_for(watchlists), allow)
