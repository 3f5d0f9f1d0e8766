"""Extraction: one saved page in, every field out.

```python
from crawler.extract import extract_article, merge_parts
result = extract_article(html, url, profile=profile, fetched_at=when, encoding="utf-8")
```

The result's keys are the item's field names (`RESULT_KEYS`); `provenance` says which stage
of each field's fallback chain gave it. `core.py` runs the chains in order; each chain is a
module of its own (`title.py`, `published.py`, `people.py`, `body.py`, `captions.py`,
`section.py`, `related.py`, `address.py`) over the page context (`context.py`) and its layout
(`layout.py`). `dates.py` reads Indonesian dates, `indonesian.py` datelines, sign-offs and
staff lines, `places.py` is the gazetteer of places datelines name.
"""

from crawler.extract.batch import cli_extract
from crawler.extract.core import RESULT_KEYS, extract_article, merge_parts, validate_selectors

__all__ = ["RESULT_KEYS", "cli_extract", "extract_article", "merge_parts", "validate_selectors"]
