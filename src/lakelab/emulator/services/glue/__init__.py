"""Glue extensions: crawlers crawl and job runs run, over the emulator's S3 and Data Catalog.

Crawlers (``crawlers`` has the fidelity notes):

- ``crawlers`` (the API: StartCrawler, StopCrawler, GetCrawler, UpdateCrawler, metrics),
  ``crawler_run`` (one crawl), ``crawler_layout`` (files -> tables and partitions),
  ``crawler_catalog`` (writing them to the catalog)
- ``schema_inference`` and ``csv_classifier`` (Glue's built-in classifiers)

Jobs (``jobs`` has the fidelity notes):

- ``definitions`` (UpdateJob, UpdateTrigger), ``job_runs`` (run states, StartJobRun, BatchStopJobRun),
  ``job_execution`` (one run's process),
  ``job_logs`` (``/aws-glue/jobs/...``, by job type and Glue version), ``runtime/`` (the ``awsglue`` stand-in)
- shared with EMR Serverless, in ``common/``: ``spark`` (local PySpark against this emulator),
  ``job_process`` and ``job_bootstrap`` (the driver process), ``job_files`` (scripts from S3),
  ``user_code`` (credentials, endpoint, folders)

``calls`` starts job runs and crawlers from other services, as the caller.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("glue",)

PATCHES = (
    # crawlers
    Patch("FakeCrawler", "start_crawler", value=".crawlers:start_crawler",
          why="moto's crawlers stay RUNNING and discover nothing; here a crawl runs on its own thread"),
    Patch("FakeCrawler", "stop_crawler", value=".crawlers:stop_crawler",
          why="StopCrawler cancels the running crawl"),
    Patch("FakeCrawler", "status", value=".crawlers:state",
          why="the crawler's State is its latest crawl's, not moto's simulated clock"),
    Patch("FakeCrawler", "as_dict", wrap=".crawlers:describes_as_aws",
          why="GetCrawler reports LastCrawl, elapsed time and the default policies as AWS does"),
    Patch("GlueBackend", "delete_crawler", wrap=".crawlers:refuses_deleting_a_running_crawler",
          why="Glue refuses to delete a crawler that is running"),
    Patch("GlueResponse", "get_crawler_metrics", value=".crawlers:get_crawler_metrics", adds=True,
          why="GetCrawlerMetrics from the crawls that ran; moto has no such operation"),
    Patch("GlueResponse", "update_crawler", value=".crawlers:update_crawler", adds=True,
          why="UpdateCrawler; moto has no such operation"),
    # jobs
    Patch("FakeJob", "start_job_run", value=".job_runs:start_job_run",
          why="moto reports SUCCEEDED at once and runs nothing; here the script runs"),
    Patch("FakeJob", "get_job_runs", value=".job_runs:job_runs_newest_first",
          why="GetJobRuns lists the newest run first, as Glue does"),
    Patch("GlueResponse", "update_job", value=".definitions:update_job", adds=True,
          why="UpdateJob replaces the job's definition; moto has no such operation"),
    Patch("GlueResponse", "update_trigger", value=".definitions:update_trigger", adds=True,
          why="UpdateTrigger; moto has no such operation"),
    Patch("GlueResponse", "batch_stop_job_run", value=".job_runs:batch_stop_job_run", adds=True,
          why="BatchStopJobRun stops a run's process; moto has no such operation"),
    Patch("GlueResponse", "setup_class", wrap="lakelab.emulator.common.user_code:remembers_endpoint",
          why="job processes need this emulator's address for AWS_ENDPOINT_URL"),
)


def install() -> None:
    """Crawls and job runs stop on reset (and job runs at interpreter exit)."""
    from lakelab.emulator.services.glue import crawlers, jobs

    crawlers.set_up()
    jobs.set_up()
