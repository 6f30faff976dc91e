"""What a recrawl fetches: compare what discovery sources say now with what they said when
each post was archived.

Pure: no Scrapy, no store. `decide` is the whole policy, so it is tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from crawler.archive.store import KnownPost
from crawler.sources import Lead

Decision = Literal["fetch", "check", "skip"]


def decide(leads: Iterable[Lead], known: KnownPost | None, *, comments_changed: bool) -> Decision:
    """fetch: get it (and all its comment pages); check: a conditional request; skip: no request.

    Any source whose version differs from last time means fetch. Only the WordPress REST API
    can vouch for a whole post: `modified_gmt` covers edits and the comments query covers
    comments. A sitemap's lastmod or a feed's comment count can say "changed" but not
    "unchanged" (lastmod rarely moves for a new comment), so then the server is asked with
    a conditional request: cheap where it keeps validators, a plain fetch where it does not.
    """
    if known is None or known.status != "live" or comments_changed:
        return "fetch"
    vouched = False
    for lead in leads:
        if lead.version is None:
            continue
        if known.signals.get(lead.source) != lead.version:
            return "fetch"
        vouched = vouched or lead.source == "rest"
    return "skip" if vouched else "check"


def signals_of(leads: Iterable[Lead]) -> dict[str, str]:
    """What to remember of the sources' say once the post is archived."""
    return {lead.source: lead.version for lead in leads if lead.version is not None}
