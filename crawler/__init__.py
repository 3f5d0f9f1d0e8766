"""warta's crawler: the Scrapy project that turns regional news sites into archive rows.

Flow: `sites/` (outlet profiles) -> `spiders/` (discovery) -> `extract/` (one page -> fields)
-> `pipelines.py` (normalize, validate, dedupe, archive) -> `archive/`.
"""
