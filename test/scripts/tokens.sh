#!/bin/bash
# Tokens shared across backends: 32 new connections make 32 token requests
# on their own and 1 with azbilling_fdw in shared_preload_libraries (see
# tokens.py).
exec python3 "$(dirname "$0")/tokens.py"
