"""claimsdb works from a wheel: migrations and seeds travel inside the package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        check=True, timeout=300,
    )
    (built,) = out.glob("claimsdb-*.whl")
    return built


def test_wheel_carries_migrations_and_seeds(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "claimsdb/_migrations/env.py" in names
    assert any(n.startswith("claimsdb/_migrations/versions/0001_") for n in names)
    assert "claimsdb/_seeds/putin-stance-stalls-talks.yaml" in names
    assert "claimsdb/_seeds/putin-stance-stalls-talks.txt" in names
    assert "claimsdb/_seeds/earlier-versions.txt" in names  # seed replaces these versions
    # the drafter's cue lexicons are data files read through importlib.resources
    assert {"claimsdb/draft/lexicons/en.yaml", "claimsdb/draft/lexicons/ru.yaml"} <= names
    # the workbench's templates and static files (claimsdb serve)
    assert {"claimsdb/web/templates/base.html", "claimsdb/web/templates/article.html",
            "claimsdb/web/static/workbench.js", "claimsdb/web/static/workbench.css",
            "claimsdb/web/templates/annotate.html", "claimsdb/web/templates/annotate_new.html",
            "claimsdb/web/static/annotate.js"} <= names


def test_installed_wheel_inits_and_seeds_outside_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, timeout=300)
    work = tmp_path / "elsewhere"
    work.mkdir()
    # The wheel's copy must win over the editable checkout this test runs from.
    env = {**os.environ, "PYTHONPATH": str(target), "CLAIMSDB_DB": str(work / "w.db")}
    program = (
        "import sys; from claimsdb.format import seeds; from claimsdb.store import migrate\n"
        "print(migrate.migrations_dir()); print(seeds.seeds_dir())\n"
        "print(len(seeds.earlier_seed_versions()))\n"
        "from claimsdb.cli import main\n"
        "main(sys.argv[1:])"
    )

    def run(*args):
        return subprocess.run([sys.executable, "-c", program, *args], cwd=work, env=env,
                              capture_output=True, text=True, timeout=120)

    first = run("init")
    assert first.returncode == 0, first.stderr
    migrations, seed_dir, earlier = first.stdout.splitlines()[:3]
    assert migrations.startswith(str(target))
    assert seed_dir.startswith(str(target))
    assert int(earlier) >= 1  # the wheel knows the earlier releases' seeds
    assert run("seed").returncode == 0
    chain = run("chain", "officials-putin-maximalist-demands")
    assert chain.returncode == 0, chain.stderr
    assert "Western security officials" in chain.stdout
