"""Stop `make test-postgres` early with a clear message when PostgreSQL cannot be reached."""

import sys

import psycopg

url = sys.argv[1]
try:
    with psycopg.connect(url, connect_timeout=5) as conn:
        conn.execute("SELECT 1")
except psycopg.OperationalError as exc:
    sys.exit(
        f"PostgreSQL is not reachable at {url}: {exc}\n"
        "Start it (Debian: pg_ctlcluster 15 main start) or set PG_URL=postgres://user@host:port."
    )
