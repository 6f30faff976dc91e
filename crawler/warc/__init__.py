"""WARC files: every request and response a crawl makes, and archives built from them."""
