#!/bin/sh
# Temporal's two databases on PostgreSQL: persistence (`temporal`) and visibility
# (`temporal_visibility`). `create` is skipped when the database exists; `update-schema` brings
# an existing schema up to the versions shipped in this admin-tools image, so the job is safe to
# run on every start and after upgrading the images (docs/operations.md).
set -eu
SCHEMAS=/etc/temporal/schema/postgresql/v12
tool() {
    temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u temporal "$@"
}
for db in temporal temporal_visibility; do
    tool --db "$db" create || echo "database $db exists"
done
tool --db temporal setup-schema -v 0.0 || echo "temporal schema present"
tool --db temporal update-schema -d "$SCHEMAS/temporal/versioned"
tool --db temporal_visibility setup-schema -v 0.0 || echo "visibility schema present"
tool --db temporal_visibility update-schema -d "$SCHEMAS/visibility/versioned"
echo "Temporal schemas are up to date"
