"""The tests on data shared beside the repository (`../shared/realpages`, `../shared/seed`) read
it where `WARTA_REALPAGES` / `WARTA_SEED` say, as their skip messages promise: run with the
variables pointing at an empty folder they skip and name it; pointing at the real data (through
a link, so the default path is not what is read), they run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.extract.scoring import REALPAGES_ENV

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FILES = ["tests/crawler/spiders/test_discovery.py", "tests/crawler/extract/test_seed_page.py"]


def run_pytest(realpages: Path, seed: Path) -> str:
    env = dict(os.environ, COLUMNS="1000",
               **{REALPAGES_ENV: str(realpages), "WARTA_SEED": str(seed)})
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                             *FILES], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_an_empty_folder_in_the_variables_skips_and_is_named(tmp_path: Path) -> None:
    out = run_pytest(tmp_path / "no-realpages", tmp_path / "no-seed")
    skips = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    discovery = [line for line in skips if "test_discovery.py" in line]
    seed = [line for line in skips if "test_seed_page.py" in line]
    assert discovery and all(f"{tmp_path / 'no-realpages'}" in line
                             and REALPAGES_ENV in line for line in discovery)
    assert seed and all(f"{tmp_path / 'no-seed'}" in line and "WARTA_SEED" in line
                        for line in seed)


@pytest.mark.skipif(not (SHARED / "realpages").is_dir() or not (SHARED / "seed").is_dir(),
                    reason=f"no shared data at {SHARED} to point the variables at")
def test_the_data_in_the_variables_is_read(tmp_path: Path) -> None:
    (tmp_path / "realpages").symlink_to(SHARED / "realpages")
    (tmp_path / "seed").symlink_to(SHARED / "seed")
    out = run_pytest(tmp_path / "realpages", tmp_path / "seed")
    assert "skipped" not in out
    assert re.search(r"\d+ passed", out)
