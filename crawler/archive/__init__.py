"""The archive: the data model, the SQLite store (all SQL), paths, locks and errors.

The system of record that every other part reads and writes through. It imports no Scrapy,
Twisted or Whoosh, so the indexer and the command line can use it without them.
"""
