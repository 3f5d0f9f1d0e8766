"""warta's downloader and spider middlewares, one per module, as Scrapy lays out its own
(`scrapy/downloadermiddlewares/retry.py`); `crawler/settings.py` registers them by these
dotted paths, in this order of a request's way out:

- `addressguard`: `AddressGuardMiddleware` (40), no request for an address an outlet must not
  reach;
- `outletscope`: `OutletScopeMiddleware` (45), each request kept on its outlet;
- `incremental`: `RedirectedArticleMiddleware` (120) and the spider middleware
  `IncrementalMiddleware` (950), what an incremental crawl does not fetch again;
- `metarefresh`: `MetaRefreshMiddleware` (580), Scrapy's, asked only where a refresh can be;
- `responsecheck`: `ResponseCheckMiddleware` (590), unusable responses refused;
- `rehydrateledger`: `RehydrateLedger` (595, `warta rehydrate` only), what became of each
  listed article.

They read only the plain metadata the `news` spider puts on its requests (`warta_site`,
`warta_kind`, ...) and the outlet profiles it carries (`crawler.sites.spider_profiles`); what
they raise is in `crawler/exceptions.py`.
"""
