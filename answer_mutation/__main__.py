import sys

from answer_mutation.cli import main

sys.exit(main())
