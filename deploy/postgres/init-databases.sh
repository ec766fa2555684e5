#!/usr/bin/env bash
# Creates one database per Cerdas service; the postgres image runs it once, on an empty data volume.
set -euo pipefail

# Each service owns its database and never reads another's (shared.config.SERVICES), and the console
# keeps its accounts and sessions in one more.
CERDAS_DATABASES=(assessment mou mentoring notifications console)

for database in "${CERDAS_DATABASES[@]}"; do
    echo "init-databases: ensuring database ${database} owned by ${POSTGRES_USER}"
    # \gexec runs the CREATE only when the SELECT returns it, which keeps a re-run harmless.
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" <<SQL
SELECT format('CREATE DATABASE %I OWNER %I', '${database}', '${POSTGRES_USER}')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${database}')\gexec
SQL
done
