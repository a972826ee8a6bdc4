--
-- Session: SET / SHOW / RESET of the parameters clients set, SET LOCAL
-- outside a block, and the session information functions (only values
-- that do not depend on the server build are printed).
--
SHOW DateStyle;
SHOW TimeZone;
SHOW client_encoding;
SHOW server_encoding;
SHOW standard_conforming_strings;
SHOW IntervalStyle;
SHOW extra_float_digits;
SHOW integer_datetimes;
SHOW search_path;
SHOW statement_timeout;
-- SET and SHOW, several spellings
SET application_name = 'regress_app';
SHOW application_name;
SET application_name TO 'other';
SHOW application_name;
SET SESSION application_name = 'session';
SHOW application_name;
RESET application_name;
SHOW application_name;
SET DateStyle = 'German, DMY';
SHOW DateStyle;
SELECT DATE '2024-07-05', TIMESTAMP '2024-07-05 10:11:12';
SET DateStyle = 'SQL, MDY';
SELECT DATE '2024-07-05', TIMESTAMP '2024-07-05 10:11:12';
SET DateStyle TO ISO;
SHOW DateStyle;
SET DateStyle = 'ISO, MDY';
SET TIME ZONE 'Europe/Paris';
SHOW TimeZone;
SELECT TIMESTAMPTZ '2024-07-05 10:00+00';
SET TIME ZONE LOCAL;
SET TimeZone = 'UTC';
SET TimeZone = '+02:00';
SELECT TIMESTAMPTZ '2024-07-05 10:00+00';
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
SELECT 0.1::float8 + 0.2::float8 AS sum, 1::float8 / 3 AS third;
SET extra_float_digits = 3;
SELECT 0.1::float8 AS tenth;
RESET extra_float_digits;
SELECT 0.1::float8 AS tenth;
SET statement_timeout = '5s';
SHOW statement_timeout;
SET statement_timeout = 2500;
SHOW statement_timeout;
RESET statement_timeout;
SHOW statement_timeout;
SET work_mem = '64MB';
SHOW work_mem;
SET work_mem = 2048;
SHOW work_mem;
RESET work_mem;
SET search_path = public, pg_catalog;
SHOW search_path;
SET search_path TO DEFAULT;
SHOW search_path;
SET client_encoding = 'UTF8';
SHOW client_encoding;
SET client_min_messages = warning;
DROP TABLE IF EXISTS se_nosuch;
RESET client_min_messages;
DROP TABLE IF EXISTS se_nosuch;
SET LOCAL application_name = 'local';
SHOW application_name;
RESET ALL;
SHOW DateStyle;
SET DateStyle = 'ISO, MDY';
SET TimeZone = 'UTC';
SET extra_float_digits = 1;
-- current_setting and set_config
SELECT current_setting('DateStyle'), current_setting('nosuch.setting', true) IS NULL AS missing_ok;
SELECT set_config('application_name', 'via_set_config', false);
SHOW application_name;
RESET application_name;
-- session information
SELECT current_user, session_user, user, current_role;
SELECT current_schema(), current_schema, current_database() IS NOT NULL AS has_db, current_catalog IS NOT NULL AS has_catalog;
SELECT pg_backend_pid() > 0 AS has_pid, version() LIKE 'PostgreSQL 15%' AS looks_like_pg15, inet_client_addr() IS NULL AS unix_socket;
SELECT current_setting('server_version_num')::integer / 10000 AS major;
SELECT pg_typeof(version()), pg_typeof(current_user), pg_typeof(pg_backend_pid());
-- errors
SET nosuch_parameter = 1;
SHOW nosuch_parameter;
SET DateStyle = 'Nonsense';
SET TimeZone = 'Mars/Olympus';
SET statement_timeout = 'forever';
SET extra_float_digits = 100;
SET work_mem = '1kB';
SET server_version = '99';
RESET nosuch_parameter;
