#!/bin/bash
# The README's table reference must match the compiled catalogue.
# Runs under pg_virtualenv (test/run); prints "N passed, N failed".
cd "$(dirname "$0")/../.."
python3 tools/gen_docs.py --check README.md
