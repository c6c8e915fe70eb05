#!/bin/bash
# 1,000 good and 1,000 failing scans in one backend: RSS growth < 10 MB (see memory.py)
exec python3 "$(dirname "$0")/memory.py"
