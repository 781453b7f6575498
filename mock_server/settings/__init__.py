"""What the mock is asked to do: every option, its default and its `sivi-mock` flag, in one table.

    from mock_server.settings import Settings

    Settings(port=0, journal_size=100)  # checked when made: SettingsError names the option by its flag

`table` is that table, `Settings`, and its checks of its own values; `flags` is how one of its fields is also a
command-line flag (an `Option` of `mock_server.command_line`, in the field's metadata); `arguments` turns the
flagged fields into `sivi-mock`'s options and its parsed arguments back into a `Settings`, so adding an option to
the mock is one field of the table (plus its test); `proxy_url` says which URLs `--proxy` can take.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.lazy import lazy_names

if TYPE_CHECKING:
    from mock_server.settings.arguments import from_arguments as from_arguments
    from mock_server.settings.arguments import options as options
    from mock_server.settings.proxy_url import proxy_url_problem as proxy_url_problem
    from mock_server.settings.table import PROXY_OPTIONS as PROXY_OPTIONS
    from mock_server.settings.table import SERVER_ERROR_CHOICE as SERVER_ERROR_CHOICE
    from mock_server.settings.table import Settings as Settings
    from mock_server.settings.table import flag_name as flag_name

__getattr__, __dir__, __all__ = lazy_names(__name__, __file__)
