--
-- interval: input forms, output (IntervalStyle postgres), arithmetic,
-- comparison, justify_*, extract, and errors.
--
SELECT INTERVAL '1 day', '2 hours 30 minutes'::interval, '1 year 2 months 3 days 04:05:06.789'::interval, '-1 day +2 hours'::interval;
SELECT '90 minutes'::interval, '36 hours'::interval, '1.5 days'::interval, '1.5 months'::interval, '0.5 years'::interval;
SELECT 'P1Y2M3DT4H5M6S'::interval, '1 week'::interval, '1 mon'::interval, '3 millennium'::interval, '10 decades'::interval;
SELECT '00:00:01.5'::interval, '-00:30'::interval, '@ 1 hour ago'::interval, '0'::interval, interval '2' hour;
SELECT INTERVAL '1-2' YEAR TO MONTH, INTERVAL '3 4:05' DAY TO MINUTE, INTERVAL '5' MINUTE, INTERVAL '12:34:56.789' HOUR TO SECOND;
-- arithmetic
SELECT interval '1 day' + interval '25 hours', interval '1 day' - interval '1 hour', interval '1 hour' * 2.5, interval '1 day' / 3;
SELECT -interval '1 day 2 hours', interval '1 month' * 3, interval '3 months' / 2, interval '1 year' - interval '1 day';
SELECT sum(i), avg(i), min(i), max(i) FROM (VALUES (interval '1 hour'), ('2 days'), ('30 minutes'), (NULL)) v (i);
-- comparison: a month counts as 30 days, a day as 24 hours
SELECT interval '1 month' = interval '30 days' AS m30, interval '1 day' = interval '24 hours' AS d24,
       interval '1 year' > interval '360 days' AS y360, interval '1 hour' < interval '59 minutes' AS lt;
SELECT i FROM (VALUES (interval '1 day'), ('23 hours'), ('1 month'), ('-1 hour'), ('29 days 23:59')) v (i) ORDER BY i;
-- justify
SELECT justify_hours(interval '50 hours'), justify_days(interval '65 days'), justify_interval(interval '1 month -1 hour');
-- extract and date_part
SELECT extract(epoch FROM interval '1 day 1 hour'), extract(hour FROM interval '26 hours'), extract(day FROM interval '26 hours'),
       extract(month FROM interval '14 months'), extract(year FROM interval '14 months'), extract(minute FROM interval '-90 minutes');
SELECT date_part('second', interval '1 minute 2.5 seconds');
-- with dates and timestamps
SELECT DATE '2024-01-31' + interval '1 month' AS jan31_plus_month, TIMESTAMP '2024-03-31' - interval '1 month' AS mar31_minus_month,
       TIMESTAMP '2024-01-01' + interval '1 month 1 day 1 hour' AS combo;
SELECT TIMESTAMP '2024-12-25' - TIMESTAMP '2024-01-01 06:00' AS diff, (TIMESTAMP '2024-12-25' - TIMESTAMP '2024-01-01')::text AS txt;
SELECT to_char(interval '15 hours 2 minutes 12 seconds', 'HH24:MI:SS'), interval '1 day'::text, '1 day'::interval::time;
-- errors
SELECT 'abc'::interval;
SELECT '1 fortnight'::interval;
SELECT interval '1 day' / 0;
SELECT interval '1 day' + 1;
SELECT '2147483647 days'::interval + '1 day'::interval;
SELECT extract(nosuch FROM interval '1 day');
