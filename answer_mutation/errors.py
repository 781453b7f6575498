"""`sivi-mutate`'s own errors, each a `SiviKitError` (the kit's tree: `mock_server.errors`)."""

from __future__ import annotations

from mock_server.errors import SiviKitError


class NothingToMutate(SiviKitError):
    """`sivi-mutate` can test nothing (`answer_mutation.run`, `answer_mutation.command`): COMMAND is not found or
    cannot start, its clean run fails, or it never calls the mock. One line, exit 2."""
