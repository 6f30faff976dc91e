"""Archives made from the platforms' own export files, not from a crawl: a WordPress
export (WXR) and a Disqus export, whose comments a crawl could not see.

A file is read as a stream and saved in one transaction: a bad file (not XML, the wrong
kind, cut short, a declaration of entities) is refused in one line and leaves the archive
as it was.
"""
