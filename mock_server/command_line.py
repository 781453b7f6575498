"""What the kit's commands (`sivi-mock`, `sivi-contract`, `sivi-spec`) share on the command line."""

from __future__ import annotations

import argparse
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage error told in one line instead of the usage block: the option, what is wrong with it,
    and where to read more. Exit status 2, as argparse's."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")
