"""Extraction: find sponsor candidates, with evidence, in a page's HTML (or a saved template/Markdown page).

This module only orchestrates the stages, each in its own module:

- `document` — template comments, front matter, Markdown, the parse, what is content;
- `vocabulary` — every keyword, phrase and threshold, all languages in one place;
- `sections` — where a sponsor section is recognised (headings, labels, id/class hints, scope ends, strips);
- `units` — anchor → logo unit → evidence, mentions, merging per organisation;
- `names` — names from alt texts, file names, domains and data-* attributes;
- `links` — hrefs, outbound hosts, redirects, anchors;
- `structured` — JSON-LD;
- `dates` — the page's own date (event start, publication, a year in its title), for brands bought or sold;
- `discovery` — links to follow;
- `sweep` — the second pass: every occurrence of the watchlists' names and domains anywhere in the content.

About 7–8 ms CPU for extract plus match on the batch benchmark's 300 KB pages, of which parsing is 2 ms.
"""

from __future__ import annotations

from dataclasses import replace

from sponsorcheck.extract.dates import page_date
from sponsorcheck.extract.discovery import discovery_links, sponsor_links
from sponsorcheck.extract.document import BodyText, clean, parse_page, prepare_tree, text_of
from sponsorcheck.extract.links import site_of
from sponsorcheck.extract.names import (
    agrees_with_link,
    is_glued,
    name_from_domain,
    name_from_filename,
    page_spellings,
    page_texts,
    readable,
)
from sponsorcheck.extract.sections import (
    filed_logo_grids,
    find_structure,
    footer_strip,
    is_sponsor_text,
    is_sponsors_page,
    logo_grids,
    logo_pairs,
    scope_of,
    titled_page_logos,
    walk,
)
from sponsorcheck.extract.structured import from_jsonld
from sponsorcheck.extract.sweep import sweep
from sponsorcheck.extract.units import Builder, mark_own_logos, merge, own_site, running_text, units_of
from sponsorcheck.extract.vocabulary import JS_HINT, MAX_CANDIDATES, NO_SECTION_HINT
from sponsorcheck.match import Matcher
from sponsorcheck.models import Extraction, Page, Role


def extract(page: Page, matcher: Matcher | None = None) -> Extraction:
    """Sponsor candidates of one page, merged per organisation, with evidence; never raises on bad HTML.

    With a matcher, the whole-page sweep adds every confirmed occurrence of its watchlists' names and
    domains outside what the section walk read, each with its context (`sweep`)."""
    parsed = parse_page(page.text, page.url, page.content_type)
    if parsed is None:
        return Extraction((), False, (page.url,), ("the page is empty or not HTML",))
    root = parsed.root
    dated = page_date(root, parsed.jsonld)  # read before the walk: every candidate of this page carries it
    base = page.url
    base_site = site_of(base)
    body = root.find("body")
    body_text = text_of(body if body is not None else root)
    body = BodyText(root, body_text)
    signals = walk(root, base, body, parsed.attrs)
    links = discovery_links(root, body)
    builders: list[Builder] = list(from_jsonld(parsed.jsonld))
    anchors = [*signals.anchors, *footer_strip(signals.footer_anchors, base, base_site)]
    anchors += logo_grids(root, base, base_site, {a for a, _ in anchors}, body.links)
    anchors += filed_logo_grids(root, {a for a, _ in anchors})
    if not anchors and not signals.texts:
        # Nothing marks a sponsor list: the site's own sponsors page, or else a row of two logos of others.
        anchors += titled_page_logos(root, set()) if is_sponsors_page(root) else []
        anchors += logo_pairs(root, base_site, body.links) if not anchors else []
    units, unnamed = units_of(
        anchors, signals.texts, signals.structure or find_structure(root), base, base_site, parsed.hidden
    )
    builders += units
    builders += running_text(body)
    builders += own_site(page.url)
    mark_own_logos(builders, root)
    if matcher is not None:
        scoped = dict(signals.scoped)
        scoped.update(anchors[len(signals.anchors) :])  # the footer strip's logos, read as a sponsor strip
        structure = signals.structure
        builders += sweep(
            page.text,
            root,
            parsed.jsonld,
            base,
            base_site,
            matcher,
            lambda el: scope_of(scoped, el),
            ((el, text) for el, (_rank, text) in structure.headings.items()) if structure else (),
            parsed.embeds,
            body_text,
            parsed.encoded,
            body.links,
            body.lowered,
        )
    candidates = merge(builders, page.url)
    truncated = len(candidates) > MAX_CANDIDATES
    candidates = candidates[:MAX_CANDIDATES]
    glued = [c.name for c in candidates if is_glued(c.name)]
    if glued:  # "calderbrewing.com" reads "Calder Brewing" where the page writes it so
        spelled = page_spellings(glued, page_texts(root, body_text))
        candidates = tuple(replace(c, name=spelled[c.name]) if c.name in spelled else c for c in candidates)
    if dated is not None:
        candidates = tuple(replace(c, year=dated.year, dated=dated.source) for c in candidates)
    in_context = any(c.in_sponsor_context and c.role is Role.SPONSOR for c in candidates)
    sponsor_context = signals.sponsor_scopes > 0 or in_context
    hints: list[str] = []
    if truncated:
        hints.append(f"the page names more than {MAX_CANDIDATES:,} possible sponsors; only the first were checked")
    if not in_context:
        visible = len(clean(body_text)) if len(body_text) < 4000 else 4000
        if visible < 400 and parsed.script_count and parsed.script_chars > visible:
            hints.append(JS_HINT)
        hints.append(NO_SECTION_HINT if not sponsor_context else "a sponsor section was found but lists no sponsors")
    return Extraction(
        candidates,
        sponsor_context,
        (page.url,),
        tuple(hints),
        sponsor_links(links, base, base_site),
        truncated=truncated,
        unnamed=tuple(unnamed),
    )


__all__ = [
    "JS_HINT",
    "NO_SECTION_HINT",
    "agrees_with_link",
    "extract",
    "is_sponsor_text",
    "name_from_domain",
    "name_from_filename",
    "prepare_tree",
    "readable",
]
