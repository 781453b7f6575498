"""The `sivi_mock` pytest fixture: the mock on a free port for the test session.

Installed kits register it through the `pytest11` entry point, so a consumer project just asks for it:

    def test_report_shows_usage(sivi_mock):
        client = MyServiceClient(base_url=sivi_mock.url, api_key=sivi_mock.admin_key)
        ...

A team's own fixtures and spec: `--sivi-fixtures DIR` and `--sivi-spec FILE`, or `sivi_fixtures` and `sivi_spec`
in the ini file (relative to it); the command line wins.

This module is the plugin pytest loads: it holds the fixtures and hooks of `fixtures` (the session's mock, its
options, the coverage summary) and of `mutation_outcomes` (what `sivi-mutate` reads of each test); `sivi_mock`
and `remote_mock` are the two mocks a test steers, in this process or through a running one's admin API.
"""

from __future__ import annotations

from mock_server.pytest_plugin.fixtures import mock_settings as mock_settings
from mock_server.pytest_plugin.fixtures import pytest_addoption as pytest_addoption
from mock_server.pytest_plugin.fixtures import pytest_runtest_setup as pytest_runtest_setup
from mock_server.pytest_plugin.fixtures import pytest_sessionfinish as pytest_sessionfinish
from mock_server.pytest_plugin.fixtures import pytest_terminal_summary as pytest_terminal_summary
from mock_server.pytest_plugin.fixtures import sivi_mock as sivi_mock
from mock_server.pytest_plugin.fixtures import sivi_mock_session as sivi_mock_session
from mock_server.pytest_plugin.mutation_outcomes import pytest_runtest_logfinish as pytest_runtest_logfinish
from mock_server.pytest_plugin.mutation_outcomes import pytest_runtest_logstart as pytest_runtest_logstart
from mock_server.pytest_plugin.mutation_outcomes import pytest_runtest_makereport as pytest_runtest_makereport
from mock_server.pytest_plugin.remote_mock import RemoteSiviMock as RemoteSiviMock
from mock_server.pytest_plugin.sivi_mock import SiviMock as SiviMock
