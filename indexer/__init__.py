"""The search index: Whoosh schema, German and English analysis, writing and searching.

Derived from the archive store; `blogarchive reindex` rebuilds it from there at any time.
"""
