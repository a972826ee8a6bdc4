-- macaddr and macaddr8: every input form, output, casts, trunc,
-- macaddr8_set7bit, ~ & |, ordering, keys, arrays and the errors.
SELECT '08:00:2b:01:02:03'::macaddr, '08-00-2b-01-02-03'::macaddr, '08002b:010203'::macaddr,
       '08002b-010203'::macaddr, '0800.2b01.0203'::macaddr, '0800-2b01-0203'::macaddr,
       '08002b010203'::macaddr, '08:00:2B:01:02:0A'::macaddr, '8:0:2b:1:2:3'::macaddr;
SELECT '08:00:2b:01:02:03:04:05'::macaddr8, '08-00-2b-01-02-03-04-05'::macaddr8,
       '08002b:0102030405'::macaddr8, '08002b-0102030405'::macaddr8, '0800.2b01.0203.0405'::macaddr8,
       '08002b0102030405'::macaddr8, '08:00:2b:01:02:03'::macaddr8, '  08:00:2b:01:02:03:04:05  '::macaddr8;
SELECT pg_typeof('08:00:2b:01:02:03'::macaddr), '08:00:2b:01:02:03'::macaddr::macaddr8,
       '08:00:2b:ff:fe:01:02:03'::macaddr8::macaddr, '08:00:2b:01:02:03'::macaddr::text,
       'aa:bb:cc:dd:ee:ff'::text::macaddr, '01:02:03:04:05:06:07:08'::varchar::macaddr8;
SELECT trunc('12:34:56:78:90:ab'::macaddr), trunc('12:34:56:78:90:ab:cd:ef'::macaddr8),
       macaddr8_set7bit('00:34:56:ab:cd:ef'::macaddr8), macaddr8_set7bit('02:34:56:78:90:ab:cd:ef'::macaddr8);
SELECT ~ '12:34:56:78:90:ab'::macaddr, '12:34:56:78:90:ab'::macaddr & 'ff:ff:ff:00:00:00'::macaddr,
       '12:34:56:78:90:ab'::macaddr | '00:00:00:ff:ff:ff'::macaddr,
       ~ '12:34:56:78:90:ab:cd:ef'::macaddr8, '12:34:56:78:90:ab:cd:ef'::macaddr8 & 'ff:ff:00:00:00:00:00:00'::macaddr8,
       '12:34:56:78:90:ab:cd:ef'::macaddr8 | '00:00:00:00:00:00:00:ff'::macaddr8;
SELECT '08:00:2b:01:02:03'::macaddr = '08-00-2b-01-02-03'::macaddr AS eq,
       '08:00:2b:01:02:03'::macaddr < '08:00:2b:01:02:04'::macaddr AS lt,
       'ff:00:00:00:00:00'::macaddr > '0a:ff:ff:ff:ff:ff'::macaddr AS gt,
       '08:00:2b:01:02:03'::macaddr8 = '08:00:2b:ff:fe:01:02:03'::macaddr8 AS eq8;
CREATE TABLE macs (m macaddr PRIMARY KEY, m8 macaddr8, note text);
CREATE INDEX macs_m8 ON macs (m8);
INSERT INTO macs VALUES ('08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', 'a'),
  ('ff:ff:ff:ff:ff:ff', NULL, 'b'), ('00:00:00:00:00:00', '00:00:00:00:00:00:00:00', 'c'),
  ('0a:0b:0c:0d:0e:0f', '0a:0b:0c:ff:fe:0d:0e:0f', 'd');
SELECT * FROM macs ORDER BY m;
SELECT * FROM macs ORDER BY m8 DESC NULLS LAST;
SELECT note FROM macs WHERE m = '0a0b.0c0d.0e0f';
SELECT note FROM macs WHERE m8 >= '08:00:00:00:00:00:00:00' ORDER BY m8;
SELECT m, m8::macaddr FROM macs WHERE note = 'd';
SELECT min(m), max(m), min(m8), max(m8), count(DISTINCT trunc(m)) FROM macs;
INSERT INTO macs VALUES ('08002b010203', NULL, 'dup');
SELECT ARRAY['08:00:2b:01:02:03', '0800.2b01.0204']::macaddr[], '{01:02:03:04:05:06:07:08}'::macaddr8[];
DROP TABLE macs;
SELECT 'x'::macaddr;
SELECT '08:00:2b:01:02'::macaddr;
SELECT '08:00:2b:01:02:03:04'::macaddr;
SELECT '08:00:2b:01:02:100'::macaddr;
SELECT '08:00:2b:01:02:03 x'::macaddr;
SELECT '08:00:2b:01:02:03:04'::macaddr8;
SELECT '08:00-2b:01:02:03:04:05'::macaddr8;
SELECT '08:00:2b:01:02:03:04:05:06'::macaddr8;
SELECT '0g:00:2b:01:02:03'::macaddr8;
SELECT '08:00:2b:01:02:03:04:05'::macaddr8::macaddr;
