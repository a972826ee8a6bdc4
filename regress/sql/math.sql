--
-- Integer and floating-point arithmetic, the math functions, casts between
-- numeric types, and their overflow and domain errors.
--
SELECT 2 + 3, 2 - 3, 2 * 3, 7 / 2, -7 / 2, 7 % 3, -7 % 3, 7 % -3, 2 ^ 3, |/ 16, ||/ 27, @ -5;
SELECT 5 & 3, 5 | 3, 5 # 3, ~5, 1 << 4, 256 >> 2;
SELECT abs(-3), abs(-3.5), sign(-2), sign(0), sign(2.5), mod(10, 3), mod(-10, 3), div(7, 2);
SELECT ceil(1.2), ceiling(-1.2), floor(-1.5), floor(1.5), round(2.5), round(-2.5), round(1.2345, 2), round(1234.5, -2);
SELECT trunc(1.99), trunc(-1.99), trunc(1.2399, 2), round(2.5::float8), round(3.5::float8), round(-0.5::float8);
SELECT sqrt(2::float8), cbrt(27::float8), power(2, 10), power(2.0, 0.5), exp(1), ln(10), log(100), log(2, 8);
SELECT pi(), degrees(pi()), radians(180), sin(0), cos(0), tan(0), asin(1), acos(1), atan(1), atan2(1, 1);
SELECT gcd(12, 18), lcm(4, 6), factorial(10);
SELECT width_bucket(5.5, 0, 10, 5), width_bucket(-1, 0, 10, 5), width_bucket(10, 0, 10, 5);
-- integer types and their limits
SELECT 32767::smallint, (-32768)::smallint, 2147483647, -2147483648, 9223372036854775807, -9223372036854775808;
SELECT pg_typeof(1), pg_typeof(2147483648), pg_typeof(1.5), pg_typeof(1e3), pg_typeof(1::smallint + 1::smallint),
       pg_typeof(1 + 1::bigint), pg_typeof(1 + 1.5), pg_typeof(1 + 1.5::float8), pg_typeof(1::real * 2);
-- float output, special values
SELECT 0.1::float8 + 0.2::float8 AS sum, 1e100::float8, 1.5e-10::float8, 123456789012345678::float8, 1::float8 / 3;
SELECT 0.1::real, 1::real / 3, 16777217::real, 1e38::real;
SELECT 'Infinity'::float8, '-Infinity'::float8, 'NaN'::float8, 'inf'::float8 + 1, 'nan'::float8 = 'nan'::float8;
SELECT 'Infinity'::float8 > 1e308 AS inf_big, 'NaN'::float8 > 'Infinity'::float8 AS nan_biggest, -0.0::float8 AS negzero;
-- casts between numeric types round half away from zero (numeric) or to even (float)
SELECT 2.5::integer, 3.5::integer, (-2.5)::integer, 2.5::float8::integer, 3.5::float8::integer, 1.9999::smallint;
SELECT '  42  '::integer, '-0'::integer, '+7'::integer, '1e2'::float8, ' 1.5 '::numeric;
SELECT 10::float8 / 4, 10 / 4::numeric, 1 / 3::float8 * 3 = 1 AS roundtrip;
-- errors: overflow (22003), division by zero (22012), invalid input (22P02), domain (2201E/2201F)
SELECT 2147483647 + 1;
SELECT -2147483648 * -1;
SELECT 9223372036854775807 + 1;
SELECT 32767::smallint + 1::smallint;
SELECT 40000::smallint;
SELECT 3000000000::integer;
SELECT (-2147483648) / -1;
SELECT abs(-2147483648);
SELECT '1e400'::float8;
SELECT '1e39'::real;
SELECT 10::float8 ^ 400;
SELECT 1 / 0;
SELECT 1 % 0;
SELECT 1.5 / 0;
SELECT 1::float8 / 0;
SELECT div(1, 0);
SELECT 'abc'::integer;
SELECT '1.5'::integer;
SELECT ''::integer;
SELECT '12abc'::float8;
SELECT sqrt(-1);
SELECT ln(0);
SELECT log(-1);
SELECT factorial(-1);
