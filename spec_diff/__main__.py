"""`python -m spec_diff` is `sivi-spec`."""

import sys

from spec_diff.cli import main

sys.exit(main())
