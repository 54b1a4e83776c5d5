-- The kiosks' role on the team's database (TEAM.md §3, LOBBY.md). A kiosk may read the schema
-- version, write its daily aggregates (kiosk_stats: counts per day, hour, route; never a
-- visit's answers), and call the four lobby functions: send a staff call, learn the answer to
-- the call whose random token it made, send an arrival (a printed slip) and its heartbeat.
-- Nothing else: no intake record, no staff account, no access log, no other call, arrival or
-- kiosk row (the functions are SECURITY DEFINER; the role has no right on those tables).
--
-- Run once as the database owner, after a desk has connected once (the desk creates the
-- tables), then give the role a password:
--   psql -d hatarakitai -v ON_ERROR_STOP=1 -f kiosk-role.sql
--   psql -d hatarakitai -c '\password hatarakitai_kiosk'
-- Safe to run again.

-- Roles belong to the whole server: if the script runs for two databases at the same moment,
-- the loser of the race sees a unique_violation instead of duplicate_object.
DO $$
BEGIN
    CREATE ROLE hatarakitai_kiosk LOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
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
GRANT EXECUTE ON FUNCTION hatarakitai_lobby_call(TEXT, INTEGER, TEXT, TEXT, BOOLEAN, BOOLEAN,
    INTEGER) TO hatarakitai_kiosk;
GRANT EXECUTE ON FUNCTION hatarakitai_lobby_call_state(TEXT) TO hatarakitai_kiosk;
GRANT EXECUTE ON FUNCTION hatarakitai_lobby_arrival(INTEGER, BIGINT, TEXT, TEXT, TEXT, BOOLEAN,
    BOOLEAN, BOOLEAN) TO hatarakitai_kiosk;
GRANT EXECUTE ON FUNCTION hatarakitai_kiosk_health(INTEGER, TEXT, BIGINT, TEXT, BOOLEAN, TEXT)
    TO hatarakitai_kiosk;
