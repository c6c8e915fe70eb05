#!/bin/bash
# pg_cron runs the README's scheduled refresh: azbilling_sync of invoices and
# transactions and a REFRESH MATERIALIZED VIEW CONCURRENTLY, as a role with
# its own user mapping (see cron.py).  Installs Debian's pg_cron for the
# running major version when it is missing (as root).
major=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
if ! dpkg -s "postgresql-$major-cron" >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "FAIL postgresql-$major-cron is missing (run as root to install it)"
    echo "0 passed, 1 failed"
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "postgresql-$major-cron" >/dev/null || { echo "FAIL apt-get install postgresql-$major-cron"; echo "0 passed, 1 failed"; exit 1; }
fi
exec python3 "$(dirname "$0")/cron.py"
