#!/bin/bash
# secrets never appear in errors, EXPLAIN or the server log (see secrets.py)
exec python3 "$(dirname "$0")/secrets.py"
