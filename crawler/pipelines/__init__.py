"""Item pipelines, one per module, in the order `crawler/settings.py` registers them:

- `normalize`: `NormalizePipeline` (100), text cleaned, short fields capped, dates given an
  offset, canonical URLs, word count and content hash (the text functions in `textclean`);
- `validate`: `ValidatePipeline` (200), not an article dropped, the body judged ok, short or
  missing;
- `dedupe`: `DedupePipeline` (300), one item per canonical URL per crawl;
- `archiving`: `ArchivePipeline` (900), batches written into the archive by the writer thread
  of `writer`.

Each follows Scrapy's component shape: `__init__` takes plain values, `from_crawler` reads the
`WARTA_*` settings with typed getters and raises `NotConfigured` when the component is off.
What happens is counted in the crawl stats under slash names (`normalize/...`,
`validate/dropped/<reason>`, `dedupe/...`, `archive/new`, ...), which tests and the crawl
record read back. `itemfields` holds what every pipeline uses to read an item.
"""
