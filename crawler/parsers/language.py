"""The language of a post whose page does not say: German or English, by py3langid.

Only these two are told apart, because they are the ones the index stems; py3langid (a
naive Bayes model over byte n-grams) loads lazily, once per process (0.6 s, ~130 MB with
NumPy), and only when a page names no language.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

EXPECTED = ("de", "en")
MIN_CHARS = 40  # below this, a guess is noise


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE)
    ident.set_languages(list(EXPECTED))
    return ident


def detect_language(text: str) -> str | None:
    """ "de" or "en" for a text long enough to tell; None otherwise."""
    sample = text[:5000].strip()
    if len(sample) < MIN_CHARS:
        return None
    lang, _ = _identifier().classify(sample)
    return str(lang)
