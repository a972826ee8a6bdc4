-- inet: input (IPv4 and IPv6, with and without /bits, blanks), output as
-- PostgreSQL prints it, comparisons and ORDER BY in network order, as a
-- primary key and an indexed column, min/max, DISTINCT, GROUP BY, and the
-- input errors.  (inet_client_addr() over the runner's Unix socket is NULL.)
SELECT '10.1.2.3/8'::inet, '192.168.0.1/32'::inet, ' 127.0.0.1 '::inet, '::1'::inet,
       '2001:DB8::0:1'::inet, 'fe80::1/64'::inet, '0.0.0.0/0'::inet;
SELECT pg_typeof('1.2.3.4'::inet), '1.2.3.4'::inet = '1.2.3.4/32'::inet AS same,
       '9.0.0.1'::inet < '10.0.0.1'::inet AS numeric_order,
       '10.0.0.0/8'::inet < '10.0.0.0/16'::inet AS shorter_first,
       '255.255.255.255'::inet < '::'::inet AS v4_before_v6,
       '10.0.0.1'::inet <> '10.0.0.2'::inet AS ne;
SELECT inet_client_addr() IS NULL AS unix_socket, inet_client_port() IS NULL AS no_port,
       inet_server_addr() IS NULL AS no_server_addr, inet_server_port() IS NULL AS no_server_port;
CREATE TABLE ip_t (a inet PRIMARY KEY, n int, b inet);
CREATE INDEX ip_t_b ON ip_t (b);
INSERT INTO ip_t VALUES ('10.0.0.1', 1, '10.0.0.1'), ('9.1.2.3', 2, '::ffff:1.2.3.4'),
  ('::1', 3, NULL), ('10.0.0.0/8', 4, '10.0.0.0/8'), ('192.168.0.1', 5, '192.168.0.1'),
  ('10.1.0.0/16', 6, '10.1.0.0/16'), ('2001:db8::/32', 7, '2001:db8::1');
SELECT a, n FROM ip_t ORDER BY a;
SELECT a, n FROM ip_t ORDER BY a DESC;
SELECT * FROM ip_t WHERE a = '9.1.2.3';
SELECT a FROM ip_t WHERE a > '10.0.0.0/8' AND a < '192.168.0.1' ORDER BY a;
SELECT b FROM ip_t WHERE b >= '10.0.0.1' ORDER BY b;
SELECT min(a), max(a), min(b), max(b) FROM ip_t;
SELECT DISTINCT a < '100.0.0.0' AS low FROM ip_t ORDER BY 1;
SELECT b IS NULL AS nb, count(*) FROM ip_t GROUP BY 1 ORDER BY 1;
INSERT INTO ip_t VALUES ('9.1.2.3/32', 8, NULL);
SELECT a::text, n FROM ip_t WHERE n >= 6 ORDER BY n;
DROP TABLE ip_t;
SELECT 'x'::inet;
SELECT '1.2.3.4/33'::inet;
SELECT '1.2.3'::inet;
SELECT '::1/129'::inet;
SELECT ''::inet;
