#!/bin/sh
# The roles and databases of docker-compose.yml, so that no application connects as the PostgreSQL
# superuser: a superuser bypasses row-level security, which keeps Sellify's tenants apart, and a
# gateway sharing Sellify's role could read every tenant's data.
#
#   sellify      LOGIN, owns the database "sellify"; not superuser, cannot bypass row-level
#                security, create roles or databases. Sellify's migrations run as this role: they
#                need to own their tables, to switch to sellify_app, and to declare functions
#                that set app.owner_access (GRANT SET ON PARAMETER, PostgreSQL 15+), nothing more.
#   sellify_app  NOLOGIN, the restricted role every request runs as (SET LOCAL ROLE). Migration
#                0001 creates it when missing, but creating a role needs CREATEROLE, which
#                "sellify" is not given: it is created here, and "sellify" made a member of it.
#   evolution    LOGIN, owns the database "evolution" (only when EVOLUTION_DB_PASSWORD is set).
#
# Neither login role may connect to the other's database. The postgres image runs this script
# once, when it creates the data volume (/docker-entrypoint-initdb.d). It is idempotent: run it
# again to add Evolution later or to change a password:
#
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-roles.sh
#
# Upgrading a volume made by an older docker-compose.yml, where "sellify" was the superuser (and
# its password POSTGRES_PASSWORD): first give the cluster another superuser, then run the script
# as that one (it refuses to run as "sellify"), then restart api and worker:
#
#   docker compose exec postgres psql -U sellify -d sellify -c "CREATE ROLE postgres SUPERUSER LOGIN"
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-roles.sh
#   docker compose restart api worker
#
# Evolution's tables lived in the schema "evolution" of Sellify's database then; move them with
# pg_dump -n evolution sellify | psql evolution (as postgres) before starting Evolution again.
#
# Names can be changed with SELLIFY_DB_USER, SELLIFY_DB_NAME, EVOLUTION_DB_USER and
# EVOLUTION_DB_NAME (the tests use throwaway ones).
set -e

if [ -z "${SELLIFY_DB_PASSWORD:-}" ]; then
  echo "init-roles.sh: SELLIFY_DB_PASSWORD is not set (see .env.example)" >&2
  false
fi

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_INIT_DB:-postgres}" \
  -v sellify_user="${SELLIFY_DB_USER:-sellify}" \
  -v sellify_db="${SELLIFY_DB_NAME:-sellify}" \
  -v sellify_password="$SELLIFY_DB_PASSWORD" \
  -v evolution_user="${EVOLUTION_DB_USER:-evolution}" \
  -v evolution_db="${EVOLUTION_DB_NAME:-evolution}" \
  -v evolution_password="${EVOLUTION_DB_PASSWORD:-}" <<'SQL'
-- Demoting the role we are connected as would leave the cluster without the superuser running this.
SELECT current_user = :'sellify_user' AS as_sellify \gset
\if :as_sellify
DO $$ BEGIN RAISE EXCEPTION 'run init-roles.sh as another superuser (POSTGRES_USER=postgres): it takes superuser away from the Sellify role'; END $$;
\endif

SELECT format('CREATE ROLE %I LOGIN', :'sellify_user')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'sellify_user') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD %L',
              :'sellify_user', :'sellify_password') \gexec

SELECT 'CREATE ROLE sellify_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sellify_app') \gexec
SELECT format('GRANT sellify_app TO %I', :'sellify_user')
WHERE NOT pg_has_role(:'sellify_user', 'sellify_app', 'MEMBER') \gexec
-- The look-ups made before a tenant is known are SECURITY DEFINER functions declared with
-- `SET app.owner_access = 'on'`; since PostgreSQL 15 only a superuser may declare that for a
-- custom parameter unless granted.
SELECT format('GRANT SET ON PARAMETER app.owner_access TO %I', :'sellify_user') \gexec

SELECT format('CREATE DATABASE %I OWNER %I', :'sellify_db', :'sellify_user')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'sellify_db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'sellify_db', :'sellify_user') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'sellify_db') \gexec

SELECT :'evolution_password' <> '' AS with_evolution \gset
\if :with_evolution
SELECT format('CREATE ROLE %I LOGIN', :'evolution_user')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'evolution_user') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION PASSWORD %L',
              :'evolution_user', :'evolution_password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'evolution_db', :'evolution_user')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'evolution_db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'evolution_db', :'evolution_user') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'evolution_db') \gexec
\endif
SQL
