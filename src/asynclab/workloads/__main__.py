"""Private entry point: ``python -m asynclab.workloads check|prepare`` (used by the lab)."""

import sys

from asynclab.workloads._prepare import main

sys.exit(main(sys.argv[1]))
