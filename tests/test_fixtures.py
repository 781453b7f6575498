"""The bundled fixtures validate against the spec, and a fixture that drifts names file, path and reason."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from mock_server.spec import BUNDLED_FIXTURES, FixtureError, load_fixtures
from mock_server.spec.contract import load_contract

CONTRACT = load_contract()
DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"


@pytest.fixture(scope="module")
def bundled():
    return load_fixtures(None, CONTRACT)


def test_every_bundled_fixture_file_validates_against_the_spec(bundled):
    assert bundled.directory == BUNDLED_FIXTURES
    for account in [*bundled.users.values(), *bundled.workspaces.values()]:
        if account.status == 200:
            assert CONTRACT.component("AccountAnalysis").errors(account.analysis) == [], account.id


def test_the_documented_user_answers_the_documented_example(bundled):
    assert bundled.users[DOCUMENTED_USER].analysis == CONTRACT.examples["documentedUser"].value["body"]


def test_the_bundled_users_cover_zero_light_and_heavy_usage(bundled):
    zero = bundled.users["user-12345"].analysis
    assert set(zero["yearlyAnalysis"].values()) == {0, "0Mb"} and zero["monthlyAnalysis"] == []

    heavy = bundled.users["heavy-user-0001"].analysis
    assert len(heavy["monthlyAnalysis"]) == 12
    assert heavy["yearlyAnalysis"]["numberOfGeneratedDesignVariations"] > 1_000_000
    assert all(month["mediaSize"].endswith("Gb") for month in heavy["monthlyAnalysis"])

    assert bundled.users["kilobyte-user"].analysis["yearlyAnalysis"]["mediaSize"] == "512Kb"


def test_the_bundled_keys_are_one_admin_and_one_regular(bundled):
    assert {key: api_key.role for key, api_key in bundled.keys.items()} == {
        "mock-admin-key": "admin",
        "mock-regular-key": "regular",
    }


def test_scenario_accounts_reach_error_paths_without_headers(bundled):
    assert bundled.users["server-error-user"].status == 500
    assert bundled.users["slow-user"].delay_ms > 0 and bundled.users["slow-user"].status == 200
    assert bundled.users["deleted-user"].status == 400
    assert bundled.workspaces["workspace-outage"].status == 500
    assert bundled.workspaces["workspace-acme-design"].status == 200


def test_the_user_id_wins_over_the_workspace_id(bundled):
    assert bundled.find("user-12345", "workspace-acme-design").id == "user-12345"
    assert bundled.find("no-such-user", "workspace-acme-design") is None
    assert bundled.find(None, "workspace-acme-design").id == "workspace-acme-design"


# A fixture that drifts from the spec stops the load with the file, the path inside it and the reason.


@pytest.fixture
def fixtures_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "fixtures"
    shutil.copytree(BUNDLED_FIXTURES, directory)
    return directory


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(FixtureError) as caught:
        load_fixtures(directory, CONTRACT)
    return caught.value.problems


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_bad_media_size_names_file_path_and_reason(fixtures_copy):
    users = fixtures_copy / "users.yaml"
    users.write_text(users.read_text().replace("mediaSize: 2Mb", "mediaSize: lots", 1))
    assert problems_of(fixtures_copy) == [
        f"{users}: users.{DOCUMENTED_USER}.analysis.monthlyAnalysis[0].mediaSize: "
        '"lots" does not match "^(0|[1-9][0-9]*)(\\.[0-9]+)?([KkMmGgTt]?[Bb])$"'
    ]


def test_a_missing_field_and_a_negative_count_are_both_reported(fixtures_copy):
    path = write(
        fixtures_copy,
        "extra.yaml",
        """
        users:
          broken-user:
            analysis:
              yearlyAnalysis: {numberOfGeneratedDesignVariations: -3, numberOfEditedDesigns: 0,
                               numberOfDownloadedDesigns: 0, numberOfMedia: 0, mediaSize: 0Mb}
              monthlyAnalysis: []
              lastAccessed: 1700000000
        """,
    )
    problems = problems_of(fixtures_copy)
    assert f'{path}: users.broken-user.analysis: "creditBalance" is a required property' in problems
    assert (
        f"{path}: users.broken-user.analysis.yearlyAnalysis.numberOfGeneratedDesignVariations: "
        "-3 is less than the minimum of 0" in problems
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("users:\n  u1: {status: 404}\n", "users.u1.status: 404 is not a status the spec documents"),
        ("users:\n  u1: {status: 500, analysis: {}}\n", "users.u1.analysis: an account answering 500 has no analysis"),
        ("users:\n  u1: {status: 500, message: ''}\n", "users.u1.message"),
        ("users:\n  u1: {status: 500, delayMs: -1}\n", "users.u1.delayMs: -1 is less than the minimum of 0"),
        ("users:\n  u1: {status: 500, colour: red}\n", "users.u1: Additional properties are not allowed"),
        ("people:\n  u1: {}\n", "people: unknown section (expected one of: keys, users, workspaces)"),
        ("users:\n  - u1\n", "users: expected a mapping of id to entry, found a list"),
        ("- just\n- a list\n", "(top level): expected a mapping with keys, users, workspaces, found a list"),
        ("users: {u1: [\n", "line 2, column 1: not valid YAML"),
        ("keys:\n  k: {role: owner}\n", 'keys.****.role: "owner" is not one of'),
    ],
)
def test_each_kind_of_drift_is_named(fixtures_copy, text, expected):
    path = write(fixtures_copy, "zz-extra.yaml", text)
    problems = problems_of(fixtures_copy)
    assert any(problem.startswith(f"{path}: ") and expected in problem for problem in problems), problems


def test_an_id_defined_twice_names_both_files(fixtures_copy):
    path = write(fixtures_copy, "zz-extra.yaml", "workspaces:\n  workspace-outage: {status: 500}\n")
    assert problems_of(fixtures_copy) == [
        f"{path}: workspaces.workspace-outage: already defined in {fixtures_copy / 'scenarios.yaml'}"
    ]


def test_an_api_key_is_never_printed_in_an_error(fixtures_copy):
    write(fixtures_copy, "zz-extra.yaml", "keys:\n  sk-live-very-secret-0001: {role: root}\n")
    message = "\n".join(problems_of(fixtures_copy))
    assert "sk-live-very-secret" not in message and "keys.****0001" in message


def test_fixtures_without_an_admin_key_are_refused(fixtures_copy):
    (fixtures_copy / "keys.yaml").write_text("keys:\n  only-regular: {role: regular}\n")
    expected = f"{fixtures_copy}: keys: no admin key is defined, so every request would get 401"
    assert problems_of(fixtures_copy) == [expected]


def test_a_directory_without_fixtures_is_refused(tmp_path):
    assert problems_of(tmp_path) == [f"{tmp_path}: no *.yaml fixture file in this directory"]
    assert problems_of(tmp_path / "missing") == [f"{tmp_path / 'missing'}: not a directory of fixture files"]
