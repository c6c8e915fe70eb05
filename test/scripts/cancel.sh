#!/bin/bash
# statement_timeout and pg_cancel_backend end queries within 1.5 s (see cancel.py)
exec python3 "$(dirname "$0")/cancel.py"
