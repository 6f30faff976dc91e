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

import orjson


def main() -> int:
    from indexer.segments.codec import describe
    from indexer.writer import write_segments

    job = orjson.loads(Path(sys.argv[1]).read_bytes())
    segments = write_segments(Path(job["archive"]), Path(job["index"]), job["ids"])
    sys.stdout.buffer.write(orjson.dumps([describe(s) for s in segments]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
