#!/bin/bash
# a cancel or statement_timeout while a long-running operation is polled ends within 1.5 s (see lro_cancel.py)
exec python3 "$(dirname "$0")/lro_cancel.py"
