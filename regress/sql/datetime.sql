--
-- date, time, timestamp, timestamptz: input, output, arithmetic, time
-- zones, date_trunc, extract / date_part, to_char, age, make_*, and the
-- current-time functions (compared, never printed).
--
SELECT DATE '2024-02-29', '2024-3-1'::date, 'March 5, 2024'::date, '20240306'::date, '1999-01-08'::date;
SELECT TIME '12:34:56', '23:59:59.999999'::time, '1:02'::time, TIME '04:05 PM', '24:00:00'::time;
SELECT TIMESTAMP '2024-02-29 12:34:56', '2024-02-29 12:34:56.123456'::timestamp, '2024-02-29T01:02:03'::timestamp;
SELECT 'epoch'::timestamp, 'infinity'::timestamp, '-infinity'::date, 'infinity'::date > '9999-12-31'::date;
SELECT '0001-01-01'::date, '5874897-12-31'::date, '4713-01-01 BC'::date, '2000-01-01'::date - '0001-01-01 BC'::date;
-- timestamptz: input with offsets, output in the session TimeZone (UTC here)
SELECT TIMESTAMPTZ '2024-02-29 12:00:00+02', '2024-02-29 12:00:00-05:30'::timestamptz, '2024-06-01 00:00 UTC'::timestamptz;
SET TimeZone = 'America/New_York';
SELECT '2024-01-15 12:00:00+00'::timestamptz AS winter, '2024-07-15 12:00:00+00'::timestamptz AS summer;
SELECT '2024-03-10 01:30:00'::timestamptz + interval '1 hour' AS across_dst;
SELECT '2024-07-15 12:00:00'::timestamp AT TIME ZONE 'UTC' AS ts_at_utc, '2024-07-15 12:00:00+00'::timestamptz AT TIME ZONE 'Asia/Tokyo' AS tz_at_tokyo;
SET TimeZone = 'UTC';
SELECT '2024-07-15 12:00:00'::timestamptz, '2024-07-15 12:00:00'::timestamptz::timestamp, '2024-07-15 23:00:00'::timestamptz::date;
-- arithmetic
SELECT DATE '2024-02-28' + 1, DATE '2024-03-01' - 1, DATE '2024-03-01' - DATE '2024-02-01', DATE '2023-03-01' - DATE '2023-02-01';
SELECT DATE '2024-01-31' + interval '1 month', DATE '2024-02-29' + interval '1 year', DATE '2024-01-01' + time '10:30';
SELECT TIMESTAMP '2024-01-01 00:00' - TIMESTAMP '2023-12-25 12:00', TIMESTAMP '2024-01-01 10:00' + interval '90 minutes';
SELECT TIME '23:30' + interval '1 hour', TIME '10:00' - TIME '08:15', TIMESTAMP '2024-05-05 10:00' - interval '1 day 1 hour';
SELECT TIMESTAMPTZ '2024-01-01 00:00+00' - TIMESTAMPTZ '2023-12-31 00:00-06';
-- comparisons, ordering, BETWEEN
SELECT DATE '2024-01-01' < DATE '2024-01-02', TIMESTAMP '2024-01-01' = DATE '2024-01-01', DATE '2024-01-02' > TIMESTAMP '2024-01-01 23:59';
SELECT d FROM (VALUES (DATE '2024-05-01'), ('2023-01-01'), ('infinity'), ('2024-01-01'), (NULL), ('-infinity')) v (d) ORDER BY d;
SELECT count(*) FROM generate_series(TIMESTAMP '2024-01-01', '2024-12-31', interval '1 day') t
    WHERE t BETWEEN '2024-02-01' AND '2024-02-29 23:59:59';
-- date_trunc, extract, date_part
SELECT date_trunc('year', TIMESTAMP '2024-07-15 12:34:56.789'), date_trunc('month', TIMESTAMP '2024-07-15 12:34:56.789'),
       date_trunc('day', TIMESTAMP '2024-07-15 12:34:56.789'), date_trunc('hour', TIMESTAMP '2024-07-15 12:34:56.789'),
       date_trunc('minute', TIMESTAMP '2024-07-15 12:34:56.789'), date_trunc('second', TIMESTAMP '2024-07-15 12:34:56.789');
SELECT date_trunc('week', TIMESTAMP '2024-07-18'), date_trunc('quarter', DATE '2024-08-20'), date_trunc('day', TIMESTAMPTZ '2024-07-15 22:00-05');
SELECT extract(year FROM TIMESTAMP '2024-07-15 12:34:56.5') AS y, extract(month FROM DATE '2024-07-15') AS m,
       extract(day FROM DATE '2024-07-15') AS d, extract(hour FROM TIMESTAMP '2024-07-15 12:34:56.5') AS h,
       extract(minute FROM TIME '12:34:56') AS mi, extract(second FROM TIMESTAMP '2024-07-15 12:34:56.5') AS s;
SELECT extract(dow FROM DATE '2024-07-14') AS dow, extract(isodow FROM DATE '2024-07-14') AS isodow, extract(doy FROM DATE '2024-12-31') AS doy,
       extract(week FROM DATE '2024-12-30') AS week, extract(quarter FROM DATE '2024-08-01') AS q, extract(epoch FROM TIMESTAMPTZ '2024-01-01 00:00+00') AS epoch,
       extract(century FROM DATE '2000-12-31') AS century, extract(isoyear FROM DATE '2021-01-01') AS isoyear;
SELECT date_part('year', DATE '2024-07-15'), date_part('epoch', TIMESTAMP '1970-01-02'), date_part('dow', TIMESTAMP '2024-07-15');
-- to_char
SELECT to_char(TIMESTAMP '2024-07-05 08:09:10.123', 'YYYY-MM-DD HH24:MI:SS.MS'), to_char(TIMESTAMP '2024-07-05 20:09:10', 'HH12:MI AM'),
       to_char(DATE '2024-07-05', 'Day DD Month YYYY'), to_char(DATE '2024-07-05', 'FMDay, FMDD FMMonth'), to_char(DATE '2024-07-05', 'Dy Mon YY DDD IW Q');
SELECT to_char(1234.5, '9999.99'), to_char(-12, '000'), to_char(1234567.891, 'FM9,999,999.00'), to_char(0.5, 'FM0.0');
SELECT to_date('05 Jul 2024', 'DD Mon YYYY'), to_timestamp('2024-07-05 10:11:12', 'YYYY-MM-DD HH24:MI:SS'), to_timestamp(0);
-- age
SELECT age(TIMESTAMP '2024-03-15', TIMESTAMP '2020-01-20'), age(DATE '2024-02-29', DATE '2023-03-01'), age(TIMESTAMP '2024-01-01', TIMESTAMP '2024-01-01');
-- make_date, make_time, make_timestamp, make_interval
SELECT make_date(2024, 2, 29), make_time(13, 45, 30.5), make_timestamp(2024, 1, 2, 3, 4, 5.5), make_interval(days => 3, hours => 4);
-- the current time: only properties are shown
SELECT now() = current_timestamp AS same, now() IS NOT NULL AS known, current_date = now()::date AS today,
       localtimestamp <= now()::timestamp + interval '1 minute' AS local, extract(year FROM now()) >= 2024 AS recent,
       now() - now() = interval '0' AS stable, statement_timestamp() >= transaction_timestamp() AS ordered,
       clock_timestamp() >= now() AS clock, pg_typeof(current_time) AS type_of_current_time;
-- storing and filtering
CREATE TABLE da_ev (id integer PRIMARY KEY, at timestamptz, day date);
INSERT INTO da_ev VALUES (1, '2024-01-01 10:00+00', '2024-01-01'), (2, '2024-01-01 23:30-05', '2024-01-02'),
    (3, '2023-12-31 23:59:59.999999+00', '2023-12-31'), (4, NULL, NULL);
SELECT id, at, day, at::date = day AS same_day FROM da_ev ORDER BY at NULLS FIRST;
SELECT date_trunc('day', at) AS d, count(*) FROM da_ev WHERE at IS NOT NULL GROUP BY 1 ORDER BY 1;
SELECT id FROM da_ev WHERE at >= '2024-01-01' AND at < '2024-01-02' ORDER BY id;
-- errors: 22007 invalid format, 22008 out of range
SELECT '2024-02-30'::date;
SELECT '2023-02-29'::date;
SELECT '2024-13-01'::date;
SELECT 'not a date'::date;
SELECT '25:00:00'::time;
SELECT '2024-01-01 12:61:00'::timestamp;
SELECT '294277-01-01'::timestamp;
SELECT DATE '5874897-12-31' + 1;
SELECT TIMESTAMP '294276-12-31 23:59:59' + interval '1 day';
SELECT make_date(2024, 2, 30);
SELECT date_trunc('fortnight', TIMESTAMP '2024-01-01');
SELECT extract(nosuch FROM DATE '2024-01-01');
DROP TABLE da_ev;
