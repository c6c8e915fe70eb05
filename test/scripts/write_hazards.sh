#!/bin/bash
# the rollback WARNING's contents, and downloads never sending the token to
# another host unless trusted (see write_hazards.py)
exec python3 "$(dirname "$0")/write_hazards.py"
