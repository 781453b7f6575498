"""A consumer who pip-installs the kit has no checkout: the wheel must carry the spec and the fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# One worker runs this module under `pytest -n`: the wheel is built once, in the checkout's build/ folder.
pytestmark = pytest.mark.xdist_group("packaging")


# For the session: under `pytest -n` a worker may come back to this module after others, and a module's
# fixture would be made again.
@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    # uv (the kit's dev tool that builds `make envs`) builds with the same hatchling backend as `pip wheel`, to the
    # same files, but keeps the build environment between runs instead of installing hatchling into a new one.
    uv = Path(sys.executable).parent / "uv"
    subprocess.run(
        [str(uv), "build", "--quiet", "--wheel", "--out-dir", str(dist), str(ROOT)], check=True, capture_output=True
    )
    (built,) = dist.glob("sivi_contract_kit-*.whl")
    return built


def test_wheel_contents(wheel):
    """The wheel carries the spec, the fixtures, both commands and its types."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    fixture_files = {f"mock_server/_bundled/fixtures/{p.name}" for p in (ROOT / "fixtures").glob("*.yaml")}
    assert {"mock_server/_bundled/openapi.yaml", *fixture_files} <= names
    markers = {"mock_server/py.typed", "contract_tests/py.typed", "spec_diff/py.typed", "answer_mutation/py.typed"}
    assert markers <= names, "type checkers need the PEP 561 markers"
    assert "sivi-mock = mock_server.cli:main" in entry_points
    assert "sivi-contract = contract_tests.cli:main" in entry_points
    assert "sivi-spec = spec_diff.cli:main" in entry_points
    assert "sivi-mutate = answer_mutation.cli:main" in entry_points


def test_data_loads_anywhere(wheel, tmp_path):
    """The installed kit loads its bundled data from any directory."""
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "some-other-project"
    elsewhere.mkdir()
    probe = (
        "from mock_server.spec.contract import load_contract\n"
        "from mock_server.spec.fixtures import load_fixtures\n"
        "contract = load_contract()\n"
        "fixtures = load_fixtures(None, contract)\n"
        "print(contract.source)\n"
        "print(fixtures.directory, len(fixtures.users))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=elsewhere,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    spec_line, fixtures_line = result.stdout.splitlines()
    assert spec_line == str(site / "mock_server" / "_bundled" / "openapi.yaml")
    assert fixtures_line.startswith(str(site / "mock_server" / "_bundled" / "fixtures") + " ")
