"""Extraction: one saved page in, every field out.

```python
from crawler.extract import extract_article, merge_parts
result = extract_article(html, url, profile=profile, fetched_at=when, encoding="utf-8")
```

The result's keys are the item's field names (`RESULT_KEYS`); `provenance` says which stage
of each field's fallback chain gave it. See `core.py` for the chains, `dates.py` for
Indonesian dates, `indonesian.py` for datelines, sign-offs and staff lines, `places.py` for the
gazetteer of places datelines name, `body.py` for the density rules and `related.py` for
related headlines.
"""

from crawler.extract.cli import cli_extract
from crawler.extract.core import RESULT_KEYS, extract_article, merge_parts, validate_selectors

__all__ = ["RESULT_KEYS", "cli_extract", "extract_article", "merge_parts", "validate_selectors"]
