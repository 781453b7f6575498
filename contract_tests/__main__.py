"""`python -m contract_tests`: the same as `sivi-contract`."""

from contract_tests.cli import main

raise SystemExit(main())
