"""`python -m search_cli.sampleblog`: serve the sample blog until interrupted."""

from __future__ import annotations

import time

from search_cli.sampleblog.serve import serve_sample_blog

if __name__ == "__main__":
    with serve_sample_blog() as site:
        print(site.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
