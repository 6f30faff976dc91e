"""One process's share of an index rebuild (see writer.rebuild_index).

`python -m indexer.rebuild_part JOB` reads {"archive", "index", "ids"} as JSON from the
file JOB, writes those posts as new segments of the (uncommitted) index, and prints the
segments as JSON. A process of its own rather than multiprocessing: a rebuild may start
inside a crawl, whose threads make fork unsafe, and spawn would import the caller's main
module again.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson


def describe(segment: Any) -> dict[str, Any]:
    """What the committing process needs to know of a segment written by another."""
    return {
        "segid": segment.segid,
        "doccount": segment.doc_count_all(),
        "compound": segment.compound,
        "fieldlengths": dict(segment._fieldlengths),
    }


def segment_from(described: dict[str, Any], indexname: str) -> Any:
    """The segment `describe` told of, for the committing process's table of contents."""
    from whoosh.codec.whoosh3 import W3Segment

    from indexer.writer import _codec

    segment = W3Segment(_codec(), indexname, described["doccount"], described["segid"])
    segment.compound = described["compound"]
    segment._fieldlengths = described["fieldlengths"]
    return segment


def main() -> int:
    from indexer.writer import write_segments

    job = orjson.loads(Path(sys.argv[1]).read_bytes())
    segments = write_segments(Path(job["archive"]), Path(job["index"]), job["ids"])
    sys.stdout.buffer.write(orjson.dumps([describe(s) for s in segments]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
