-- The kiosks' role on the team's database (TEAM.md §3). A kiosk may read the schema version
-- and write its daily aggregates (kiosk_stats: counts per day, hour, route; never a visit's
-- answers), and nothing else: no intake record, no staff account, no access log.
--
-- Run once as the database owner, after a desk has connected once (the desk creates the
-- tables), then give the role a password:
--   psql -d hatarakitai -v ON_ERROR_STOP=1 -f kiosk-role.sql
--   psql -d hatarakitai -c '\password hatarakitai_kiosk'
-- Safe to run again.

DO $$
BEGIN
    CREATE ROLE hatarakitai_kiosk LOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM hatarakitai_kiosk;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM hatarakitai_kiosk;
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO hatarakitai_kiosk', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO hatarakitai_kiosk;
GRANT SELECT ON hatarakitai_schema TO hatarakitai_kiosk;
GRANT SELECT, INSERT, UPDATE ON kiosk_stats TO hatarakitai_kiosk;
