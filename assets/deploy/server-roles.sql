-- The application role of `hatarakitai serve` (SERVER.md §3). The database's owner creates
-- and upgrades the schema (`hatarakitai db upgrade`, run by the administrator); the server
-- connects day to day as hatarakitai_app, which has only the rights it needs:
--   - no DDL (it owns nothing, and may create nothing in the schema);
--   - the logs — access_log, audit, agency_audit, consent_event — INSERT and SELECT only:
--     no UPDATE, DELETE or TRUNCATE, so nobody holding its password rewrites history;
--   - hatarakitai_schema and retention_policy: SELECT only (the periods are the owner's);
--   - retention only through hatarakitai_retention(now, force), a SECURITY DEFINER function
--     of the owner that reads those periods itself;
--   - on every other table SELECT, INSERT, UPDATE, DELETE (records, accounts, sessions, the
--     network, the lobby, the kiosks' figures).
--
-- Run as the database's owner after `hatarakitai db upgrade`, then give the role a password:
--   psql -d hatarakitai -v ON_ERROR_STOP=1 -f server-roles.sql
--   psql -d hatarakitai -c '\password hatarakitai_app'
-- Safe to run again (after every `db upgrade`, for the tables a new version adds).

DO $$
BEGIN
    CREATE ROLE hatarakitai_app LOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM hatarakitai_app;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM hatarakitai_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM hatarakitai_app;
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO hatarakitai_app', current_database());
    -- Temporary tables are granted to PUBLIC by default; the server needs none.
    EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM PUBLIC, hatarakitai_app', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO hatarakitai_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO hatarakitai_app;
REVOKE INSERT, UPDATE, DELETE ON hatarakitai_schema, retention_policy FROM hatarakitai_app;
REVOKE UPDATE, DELETE ON access_log, audit, agency_audit, consent_event FROM hatarakitai_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO hatarakitai_app;
GRANT EXECUTE ON FUNCTION hatarakitai_retention(BIGINT, BOOLEAN) TO hatarakitai_app;
GRANT EXECUTE ON FUNCTION hatarakitai_now() TO hatarakitai_app;
