"""The crawl's runtime: what starts, feeds and keeps a crawl, apart from the Scrapy components
it runs (`crawler/pipelines`, `crawler/middlewares`, `crawler/extensions`).

- `runner`: `run_crawl` (settings, lock, job, Scrapy's `CrawlerProcess`) and its `CrawlSummary`;
- `lock`: the archive's crawl lock and its state folder; `jobs`: the resumable jobs there;
- `queues`: the JOBDIR disk queue (`SCHEDULER_DISK_QUEUE`);
- `workers`: article pages read in worker processes;
- `logs`: where the crawl's log records go; `gctuning`: the garbage collector during a crawl.
"""
