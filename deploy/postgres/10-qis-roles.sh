#!/bin/sh
# First start of the PostgreSQL volume only: a role and database for QIS, and a role for
# Temporal that may create its two databases (the temporal-schema job creates them).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE ROLE qis LOGIN PASSWORD '${QIS_DB_PASSWORD}';
CREATE DATABASE qis OWNER qis;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD '${TEMPORAL_DB_PASSWORD}';
SQL
