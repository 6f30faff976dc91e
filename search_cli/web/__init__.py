"""The reading room: a local, read-only web view of an archive (`blogarchive serve`).

Its own room beside the command line: an application factory, views over the same library
functions the commands use, templates and static files in this package.
"""
