"""`sivi-mutate`: answer mutation for the API's consumers (the docs' "Does your client handle every answer?").

`cli` reads the command line, `run` runs COMMAND clean and once per mutant against the run's own mock, `report`
tells what it found.
"""
