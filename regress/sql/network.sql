-- cidr next to inet, and the network functions and operators: input
-- (abbreviated and classful cidr forms), output, casts between inet, cidr
-- and text, host/netmask/network/broadcast/..., containment and bitwise
-- operators, address arithmetic, ordering, keys, and the errors.

-- cidr input and output
SELECT '192.168.100.128/25'::cidr, '192.168/24'::cidr, '192.168/25'::cidr, '192.168.1'::cidr,
       '192.168'::cidr, '128.1'::cidr, '128'::cidr, '10'::cidr;
SELECT '10.1.2'::cidr, '10.1'::cidr, '10'::cidr, '224.0.0.0'::cidr, '224'::cidr, '240.1'::cidr,
       '1.2.3.4'::cidr, '0.0.0.0/0'::cidr;
SELECT '2001:4f8:3:ba::/64'::cidr, '2001:4f8:3:ba:2e0:81ff:fe22:d1f1/128'::cidr, '::ffff:1.2.3.0/120'::cidr,
       '::/0'::cidr;
SELECT pg_typeof('10.0.0.0/8'::cidr), '10.0.0.0/8'::cidr::text, '10.0.0.1'::inet::text,
       '10.0.0.0/8'::inet::text, '::1'::inet::text;

-- casts
SELECT '10.1.2.3/8'::inet::cidr AS masked, '10.0.0.0/8'::cidr::inet AS widened,
       '192.168.1.0/24'::text::cidr AS from_text, '192.168.1.5/24'::varchar::inet AS from_varchar,
       cidr('10.1.2.3/16'::inet) AS cidr_fn, text('10.1.2.3'::inet) AS text_fn;
SELECT '1.2.3.4/32'::cidr = '1.2.3.4'::inet AS eq_mixed, '10.0.0.0/8'::cidr = '10.0.0.0/8'::cidr AS eq,
       '10.0.0.0/8'::cidr < '10.0.0.0/16'::cidr AS lt;

-- functions
SELECT host('192.168.1.5/24'::inet), host('10.0.0.0/8'::cidr), host('::1/64'::inet);
SELECT hostmask('192.168.23.20/30'::inet), hostmask('10.0.0.0/8'::cidr), hostmask('::1/120'::inet);
SELECT netmask('192.168.1.5/24'::inet), netmask('10.0.0.0/9'::cidr), netmask('2001:db8::/33'::inet);
SELECT network('192.168.1.5/24'::inet), network('192.168.1.5'::inet), network('2001:db8::1/32'::inet);
SELECT broadcast('192.168.1.5/24'::inet), broadcast('10.0.0.0/8'::cidr), broadcast('2001:db8::/120'::inet);
SELECT masklen('192.168.1.5/24'::inet), masklen('10.0.0.0/8'::cidr), masklen('::1'::inet), masklen('1.2.3.4'::inet);
SELECT set_masklen('192.168.1.5/24'::inet, 16), set_masklen('192.168.1.0/24'::cidr, 16),
       set_masklen('192.168.1.5'::inet, -1), set_masklen('10.0.0.0/8'::cidr, 32);
SELECT family('1.2.3.4'::inet), family('::1'::inet), family('10.0.0.0/8'::cidr);
SELECT abbrev('10.1.0.0/16'::inet), abbrev('10.1.0.0/16'::cidr), abbrev('10.1.2.0/24'::cidr),
       abbrev('10.0.0.0/8'::cidr), abbrev('10.1.2.3/32'::cidr), abbrev('0.0.0.0/0'::cidr),
       abbrev('10.1.128.0/17'::cidr), abbrev('1.2.3.4'::inet), abbrev('2001:db8::/32'::cidr);
SELECT inet_same_family('1.2.3.4'::inet, '5.6.7.8/8'::inet), inet_same_family('1.2.3.4'::inet, '::1'::inet);
SELECT inet_merge('192.168.1.5/24'::inet, '192.168.2.5/24'::inet), inet_merge('10.0.0.1'::inet, '10.0.0.1'::inet),
       inet_merge('10.1.0.0/16'::cidr, '10.0.0.0/8'::cidr), inet_merge('2001:db8::1'::inet, '2001:db8::ff'::inet);

-- containment and overlap
SELECT '192.168.1.5'::inet << '192.168.1.0/24'::cidr AS a, '192.168.1.0/24'::inet << '192.168.1.0/24'::inet AS b,
       '192.168.1.0/24'::inet <<= '192.168.1.0/24'::inet AS c, '192.168.1.0/24'::cidr >> '192.168.1.5'::inet AS d,
       '192.168.1.0/24'::inet >>= '192.168.1.0/24'::inet AS e, '10.0.0.0/8'::inet >> '11.0.0.1'::inet AS f;
SELECT '192.168.1.0/24'::cidr && '192.168.1.80/28'::cidr AS o1, '192.168.1.0/24'::cidr && '192.168.2.0/28'::cidr AS o2,
       '10.0.0.0/8'::inet && '::1'::inet AS o3, '::1'::inet << '::/0'::inet AS v6;

-- bitwise and arithmetic
SELECT ~ '192.168.1.6'::inet AS n, '192.168.1.6'::inet & '0.0.0.255'::inet AS a,
       '192.168.1.6'::inet | '0.0.0.255'::inet AS o, '10.0.0.1/8'::inet & '255.0.0.0/16'::inet AS bits;
SELECT '192.168.1.6'::inet + 25 AS p, 25 + '192.168.1.6'::inet AS p2, '192.168.1.43'::inet - 36 AS m,
       '192.168.1.43'::inet - '192.168.1.19'::inet AS diff, '192.168.1.19'::inet - '192.168.1.43'::inet AS neg,
       '10.0.0.255/24'::inet + 1 AS carry, '::1'::inet + 65535 AS v6, '::ffff'::inet - '::1'::inet AS v6diff;
SELECT '0.0.0.1'::inet - 1 AS zero, '255.255.255.254'::inet + 1 AS top, '10.0.0.0/8'::cidr + 1 AS from_cidr;

-- ordering, tables, keys
CREATE TABLE nets (c cidr PRIMARY KEY, i inet, note text);
CREATE INDEX nets_i ON nets (i);
INSERT INTO nets VALUES ('10.0.0.0/8', '10.1.2.3/8', 'a'), ('10.0.0.0/16', '10.0.0.1', 'b'),
  ('192.168.1.0/24', '192.168.1.200/24', 'c'), ('2001:db8::/32', '2001:db8::1', 'd'),
  ('0.0.0.0/0', NULL, 'e'), ('10.1.0.0/16', '10.1.0.0/16', 'f'), ('9.0.0.0/8', '9.255.255.255', 'g');
SELECT c, i, note FROM nets ORDER BY c;
SELECT c, i FROM nets ORDER BY i, c;
SELECT note FROM nets WHERE c = '10.0.0.0/16';
SELECT note FROM nets WHERE c >> '10.1.2.3'::inet ORDER BY c;
SELECT note, i FROM nets WHERE i <<= '10.0.0.0/8' ORDER BY i;
SELECT c, count(*) FROM (SELECT network(i) AS c FROM nets WHERE i IS NOT NULL) s GROUP BY c ORDER BY c;
SELECT min(c), max(c), min(i), max(i) FROM nets;
UPDATE nets SET c = set_masklen(c, 12) WHERE note = 'a';
SELECT c, note FROM nets WHERE note = 'a';
INSERT INTO nets VALUES ('10.0.0.0/16', NULL, 'dup');
INSERT INTO nets (c, note) VALUES ('10.0.0.1/16', 'bad');
SELECT ARRAY['10.0.0.0/8', '192.168.0.0/16']::cidr[], '{10.1.2.3/8,::1}'::inet[];
DROP TABLE nets;

-- errors
SELECT '192.168.1.2/24'::cidr;
SELECT '10.1.2.3/8'::text::cidr;
SELECT 'x'::cidr;
SELECT '1.2.3.4/33'::cidr;
SELECT '1.2.3.4.5'::cidr;
SELECT '2001:db8::1/32'::cidr;
SELECT set_masklen('1.2.3.4'::inet, 33);
SELECT set_masklen('10.0.0.0/8'::cidr, -2);
SELECT '1.2.3.4'::inet & '::1'::inet;
SELECT '1.2.3.4'::inet | '::1'::inet;
SELECT '1.2.3.4'::inet - '::1'::inet;
SELECT inet_merge('1.2.3.4'::inet, '::1'::inet);
SELECT '255.255.255.255'::inet + 1;
SELECT '0.0.0.0'::inet - 1;
SELECT '::'::inet - 'ffff::'::inet;
SELECT '10.0.0.0/8'::inet::cidr = 1;
