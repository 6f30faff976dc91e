"""Whoosh's on-disk format, and the one place that knows it.

whoosh-reloaded is pinned (==2.7.5) because this sub-package reads and writes its segments
below the public API: the codec (`codec.py`, Whoosh's supported seam for how segments are
read) holds length columns whole, `postings.py` decodes posting blocks with numpy,
`columns.py` reads fixed-width columns in one piece, `scoring.py` ranks with BM25F over
whole posting lists, and `bulkwrite.py` writes whole segments at once. Nothing outside it
touches a private Whoosh attribute (a test counts them).
"""
