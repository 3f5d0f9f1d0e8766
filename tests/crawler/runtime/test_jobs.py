"""`crawler.runtime.jobs`: a job per set of sites, continued, recovered or started over."""

from __future__ import annotations

from pathlib import Path

from crawler.runtime.jobs import MAX_JOB_NAME, NEW, RECOVERED, RESUMED, Job, job_name


def test_a_job_is_named_after_its_sites_in_any_order() -> None:
    assert job_name(["sapos", "kaltimpost", "sapos"]) == "kaltimpost+sapos"
    many = job_name([f"outlet{n:02d}" for n in range(20)])
    assert len(many) <= MAX_JOB_NAME and many.startswith("outlet00-and-19-more-")


def test_a_paused_job_resumes_a_killed_one_is_recovered_a_finished_one_is_gone(
        tmp_path: Path) -> None:
    job = Job(tmp_path, ["sapos"])
    first = job.start({"since": None})
    assert (first.mode, first.attempts) == (NEW, 0)
    assert not job.finish("shutdown")  # a clean stop: paused
    resumed = job.start({"since": None})
    assert (resumed.mode, resumed.started_at) == (RESUMED, first.started_at)
    (job.dir / "requests.seen").write_text("frontier")
    recovered = job.start({"since": None})  # still `running`: its process died
    assert recovered.mode == RECOVERED and not (job.dir / "requests.seen").exists()
    other = job.start({"since": "2024-01-01"})
    assert other.mode == NEW and other.note is not None
    assert job.finish("finished") and not job.dir.exists()
