#!/bin/bash
# a hot standby refuses DML and the mutating functions, and nothing mutating
# reaches Azure (see standby.py)
exec python3 "$(dirname "$0")/standby.py"
