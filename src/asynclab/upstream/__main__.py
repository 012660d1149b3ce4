"""Private entry point: ``python -m asynclab.upstream BEHAVIOUR_JSON`` (used by start_upstream)."""

import sys

from asynclab.upstream._behaviour import UpstreamBehaviour
from asynclab.upstream._server import run_upstream

run_upstream(UpstreamBehaviour.from_json(sys.argv[1]))
