"""The bundled fixtures validate against the spec, and a fixture that drifts names file, path and reason."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from mock_server.spec import BUNDLED_FIXTURES, FixtureError, load_fixtures
from mock_server.spec.contract import load_contract
from mock_server.spec.fixtures import parse_account

CONTRACT = load_contract()
DOCUMENTED_USER = "281743-2322-34i44sd3-dkfjgdkjf292"


@pytest.fixture(scope="module")
def bundled():
    return load_fixtures(None, CONTRACT)


def test_bundled_fixtures_validate(bundled):
    assert bundled.directory == BUNDLED_FIXTURES
    for account in [*bundled.users.values(), *bundled.workspaces.values()]:
        if account.status == 200:
            assert CONTRACT.component("AccountAnalysis").errors(account.analysis) == [], account.id


def test_documented_user_example(bundled):
    assert bundled.users[DOCUMENTED_USER].analysis == CONTRACT.examples["documentedUser"].value["body"]


def test_zero_light_heavy_users(bundled):
    zero = bundled.users["user-12345"].analysis
    assert set(zero["yearlyAnalysis"].values()) == {0, "0Mb"} and zero["monthlyAnalysis"] == []

    heavy = bundled.users["heavy-user-0001"].analysis
    assert len(heavy["monthlyAnalysis"]) == 12
    assert heavy["yearlyAnalysis"]["numberOfGeneratedDesignVariations"] > 1_000_000
    assert all(month["mediaSize"].endswith("Gb") for month in heavy["monthlyAnalysis"])

    assert bundled.users["kilobyte-user"].analysis["yearlyAnalysis"]["mediaSize"] == "512Kb"


def test_one_admin_one_regular_key(bundled):
    assert {key: api_key.role for key, api_key in bundled.keys.items()} == {
        "mock-admin-key": "admin",
        "mock-regular-key": "regular",
    }


def test_scenarios_need_no_headers(bundled):
    """Scenario accounts reach error paths without headers."""
    assert bundled.users["server-error-user"].status == 500
    assert bundled.users["slow-user"].delay_ms > 0 and bundled.users["slow-user"].status == 200
    assert bundled.users["deleted-user"].status == 400
    assert bundled.workspaces["workspace-outage"].status == 500
    assert bundled.workspaces["workspace-acme-design"].status == 200


def test_user_id_wins(bundled):
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


def test_bad_media_size_named(fixtures_copy):
    """A bad media size names file path and reason."""
    users = fixtures_copy / "users.yaml"
    users.write_text(users.read_text().replace("mediaSize: 2Mb", "mediaSize: lots", 1))
    assert problems_of(fixtures_copy) == [
        f"{users}: users.{DOCUMENTED_USER}.analysis.monthlyAnalysis[0].mediaSize: "
        '"lots" does not match "^(0|[1-9][0-9]*)(\\.[0-9]+)?([KkMmGgTt]?[Bb])$"'
    ]


def test_both_problems_reported(fixtures_copy):
    """A missing field and a negative count are both reported."""
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
def test_each_drift_named(fixtures_copy, text, expected):
    path = write(fixtures_copy, "zz-extra.yaml", text)
    problems = problems_of(fixtures_copy)
    assert any(problem.startswith(f"{path}: ") and expected in problem for problem in problems), problems


def test_duplicate_id_names_files(fixtures_copy):
    path = write(fixtures_copy, "zz-extra.yaml", "workspaces:\n  workspace-outage: {status: 500}\n")
    assert problems_of(fixtures_copy) == [
        f"{path}: workspaces.workspace-outage: already defined in {fixtures_copy / 'scenarios.yaml'}"
    ]


def test_errors_hide_api_keys(fixtures_copy):
    write(fixtures_copy, "zz-extra.yaml", "keys:\n  sk-live-very-secret-0001: {role: root}\n")
    message = "\n".join(problems_of(fixtures_copy))
    assert "sk-live-very-secret" not in message and "keys.****0001" in message


def test_admin_key_required(fixtures_copy):
    (fixtures_copy / "keys.yaml").write_text("keys:\n  only-regular: {role: regular}\n")
    expected = f"{fixtures_copy}: keys: no admin key is defined, so every request would get 401"
    assert problems_of(fixtures_copy) == [expected]


def test_empty_directory_refused(tmp_path):
    assert problems_of(tmp_path) == [f"{tmp_path}: no *.yaml fixture file in this directory"]
    assert problems_of(tmp_path / "missing") == [f"{tmp_path / 'missing'}: not a directory of fixture files"]


def test_yml_is_yaml(fixtures_copy):
    write(fixtures_copy, "more.yml", "users:\n  yml-user: {status: 500, message: from a .yml file}\n")
    assert load_fixtures(fixtures_copy, CONTRACT).users["yml-user"].message == "from a .yml file"


@pytest.mark.parametrize("text", ["", "# every fixture commented out\n", "users:\n  # u1: {status: 500}\n"])
def test_empty_file_is_harmless(fixtures_copy, text):
    """An empty file or section adds nothing and breaks nothing."""
    write(fixtures_copy, "zz-empty.yaml", text)
    loaded = load_fixtures(fixtures_copy, CONTRACT)
    assert loaded.users.keys() == load_fixtures(BUNDLED_FIXTURES, CONTRACT).users.keys()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("users:\n  u1: {status: 200, message: hello, analysis: {}}\n", "users.u1.message: only an account answering"),
        ("users:\n  u1: {status: '500'}\n", 'users.u1.status: "500" is not of type "integer"'),
        ("users:\n  u1: {status: 204}\n", "users.u1.status: 204 is not a status the spec documents (200, 400, 401,"),
        ("users:\n  '': {status: 500}\n", "users.: the id must be a non-empty string, found ''"),
        ("users:\n  42: {status: 500}\n", "users.42: the id must be a non-empty string, found 42"),
        ("workspaces:\n  w1: {status: 400, analysis: {}}\n", "workspaces.w1.analysis: an account answering 400 has"),
        ("workspaces:\n  w1: [status, 500]\n", 'workspaces.w1: ["status",500] is not of type "object"'),
        ("users: just a string\n", "users: expected a mapping of id to entry, found a string"),
        ("keys: 7\n", "keys: expected a mapping of id to entry, found a number"),
        ("keys:\n  '  ': {role: admin}\n", "keys.****: an API key must be a non-empty string"),
        ("users:\n  u1: {status: 500}\n  u1: {status: 400}\n", "line 3, column 3: not valid YAML (a key given twice"),
    ],
)
def test_each_entry_mistake_named(fixtures_copy, text, expected):
    path = write(fixtures_copy, "zz-extra.yaml", text)
    problems = problems_of(fixtures_copy)
    assert any(problem.startswith(f"{path}: ") and expected in problem for problem in problems), problems


def test_key_in_two_files_masked(fixtures_copy):
    """A key defined in two files is named masked with both files."""
    first = write(fixtures_copy, "a-keys.yaml", "keys:\n  sk-live-very-secret-0001: {role: admin}\n")
    second = write(fixtures_copy, "b-keys.yaml", "keys:\n  sk-live-very-secret-0001: {role: regular}\n")
    problems = problems_of(fixtures_copy)
    assert problems == [f"{second}: keys.****0001: already defined in {first}"]
    assert "very-secret" not in "\n".join(problems)


def test_key_twice_in_file_masked(fixtures_copy):
    """A key given twice in one file is refused without printing it."""
    path = write(fixtures_copy, "zz-keys.yaml", "keys:\n  sk-live-very-secret-0001: {role: admin}\n"
                 "  sk-live-very-secret-0001: {role: regular}\n")  # fmt: skip
    assert problems_of(fixtures_copy) == [
        f"{path}: line 3, column 3: not valid YAML (a key given twice in one mapping, first on line 2)"
    ]


def test_non_utf8_file_named(fixtures_copy):
    path = fixtures_copy / "zz-latin1.yaml"
    path.write_bytes("users:\n  caf\xe9: {status: 500}\n".encode("latin-1"))
    assert problems_of(fixtures_copy) == [f"{path}: the file is not UTF-8 text"]


def test_all_problems_at_once(fixtures_copy):
    first = write(fixtures_copy, "zz-1.yaml", "people: {}\nusers:\n  u1: {status: 404}\n")
    second = write(fixtures_copy, "zz-2.yaml", "users:\n  u2: {status: 500, sequence: [{status: 500}]}\n")
    problems = problems_of(fixtures_copy)
    assert [problem.split(": ")[0:2] for problem in problems] == [
        [str(first), "people"],
        [str(first), "users.u1.status"],
        [str(second), "users.u2"],
    ], problems


# One account checked on its own, as the admin API checks an account put at run time


def test_parse_account():
    """parse_account reads an analysis, or an error with its delay."""
    analysis = CONTRACT.examples["documentedUser"].value["body"]
    ok = parse_account("user", "u1", {"analysis": analysis, "delayMs": 5}, CONTRACT, "users.u1")
    assert (ok.kind, ok.status, ok.analysis, ok.delay_ms, ok.message) == ("user", 200, analysis, 5, None)
    down = parse_account("workspace", "w1", {"status": 500, "message": "down"}, CONTRACT, "workspaces.w1")
    assert (down.kind, down.status, down.analysis, down.message) == ("workspace", 500, None, "down")


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        ({"status": 500, "delayMs": 600_001}, ["put.delayMs: 600001 is greater than the maximum of 600000"]),
        ({"analysis": {"lastAccessed": -1}}, None),  # many: the analysis is checked against the spec whole
        ("not a mapping", ['put: "not a mapping" is not of type "object"']),
        ({"status": 422, "message": 7}, ['put.message: 7 is not of type "string"']),
    ],
)
def test_parse_account_names_place(data, problems):
    with pytest.raises(FixtureError) as refused:
        parse_account("user", "u1", data, CONTRACT, "put")
    assert all(problem.startswith("put") for problem in refused.value.problems), refused.value.problems
    if problems is not None:
        assert refused.value.problems == problems
    else:
        assert "put.analysis.lastAccessed: -1 is less than the minimum of 0" in refused.value.problems


@pytest.mark.parametrize(("value", "shown"), [(".nan", ".nan"), (".inf", ".inf"), ("-.Inf", "-.inf")])
def test_non_json_number_refused(fixtures_copy, value, shown):
    """An extra property passes the spec, but the mock would answer it as `NaN`, which no JSON parser reads."""
    analysis = CONTRACT.examples["documentedUser"].value["body"]
    text = yaml.safe_dump({"users": {"u1": {"analysis": {**analysis, "extra": {"rates": [1.5, "VALUE"]}}}}})
    path = write(fixtures_copy, "zz-extra.yaml", text.replace("VALUE", value))
    assert problems_of(fixtures_copy) == [f"{path}: users.u1.analysis.extra.rates[1]: {shown} has no JSON form"]
