// SPDX-License-Identifier: GPL-2.0
/*
 * A FortiOS key=value line in the other syslog formats: parsing (quotes,
 * escapes, bad lines), JSON (numbers, escaping, non-ASCII, invalid UTF-8),
 * CSV, CEF, RFC 5424 and <PRI>; and the per-server syslog filter.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log/logconv.h"

static struct logconv_rec rec;
static char out[LOG_LINE_MAX * 2];

#define ESP_LINE                                                              \
	"date=2024-01-15 time=13:34:56 devname=\"gw-1\" "                   \
	"devid=\"FGVM01TM00000001\" eventtime=1705322096123456789 "          \
	"tz=\"+0100\" logid=\"0101037131\" type=\"event\" subtype=\"vpn\" "  \
	"level=\"error\" vd=\"root\" logdesc=\"IPsec ESP\" msg=\"IPsec ESP\" " \
	"action=\"error\" remip=203.0.113.66 locip=198.51.100.1 remport=0 "  \
	"locport=0 assignip=N/A status=\"esp_error\" "                       \
	"error_num=\"Received ESP packet with unknown SPI.\" "               \
	"spi=\"2c65ad60\" seq=\"00000007\" advpnsc=0\n"

#define TRAFFIC_LINE                                                          \
	"date=2024-01-15 time=13:34:56 devname=\"gw-1\" "                   \
	"eventtime=1705322096123456789 tz=\"+0100\" logid=\"0001000014\" "   \
	"type=\"traffic\" subtype=\"local\" level=\"notice\" vd=\"root\" "   \
	"srcip=203.0.113.5 srcport=500 srcintf=\"wan1\" dstip=198.51.100.1 " \
	"dstport=500 dstintf=\"root\" sessionid=42 proto=17 "                \
	"action=\"deny\" policyid=1 service=\"IKE\" "                        \
	"msg=\"Connection Failed\""

static void parse(const char *line)
{
	assert_int_equal(logconv_parse(&rec, line, strlen(line)), 0);
}

static void test_parse(void **state)
{
	const struct logconv_field *f;

	(void)state;
	parse(ESP_LINE);
	assert_int_equal(rec.n, 24);
	f = logconv_get(&rec, "error_num");
	assert_non_null(f);
	assert_true(f->quoted);
	assert_string_equal(f->val, "Received ESP packet with unknown SPI.");
	f = logconv_get(&rec, "remip");
	assert_false(f->quoted);
	assert_string_equal(f->val, "203.0.113.66");
	assert_int_equal(logconv_severity(&rec), 3);
	parse("a=\"q\\\"b\\\\c\\x0ad\" b=1");
	f = logconv_get(&rec, "a");
	assert_string_equal(f->val, "q\"b\\c\nd");
	assert_null(logconv_get(&rec, "c"));
	assert_int_equal(logconv_severity(&rec), 6);
}

static void test_parse_bad(void **state)
{
	(void)state;
	assert_int_equal(logconv_parse(&rec, "", 0), -EINVAL);
	assert_int_equal(logconv_parse(&rec, "a", 1), -EINVAL);
	assert_int_equal(logconv_parse(&rec, "a=\"open", 7), -EINVAL);
	assert_int_equal(logconv_parse(&rec, "a=\"x\"y", 6), -EINVAL);
	assert_int_equal(logconv_parse(&rec, "=1", 2), -EINVAL);
}

static void test_json(void **state)
{
	(void)state;
	parse(ESP_LINE);
	assert_true(logconv_json(out, sizeof(out), &rec) > 0);
	assert_string_equal(
		out,
		"{\"date\":\"2024-01-15\",\"time\":\"13:34:56\","
		"\"devname\":\"gw-1\",\"devid\":\"FGVM01TM00000001\","
		"\"eventtime\":1705322096123456789,\"tz\":\"+0100\","
		"\"logid\":\"0101037131\",\"type\":\"event\","
		"\"subtype\":\"vpn\",\"level\":\"error\",\"vd\":\"root\","
		"\"logdesc\":\"IPsec ESP\",\"msg\":\"IPsec ESP\","
		"\"action\":\"error\",\"remip\":\"203.0.113.66\","
		"\"locip\":\"198.51.100.1\",\"remport\":0,\"locport\":0,"
		"\"assignip\":\"N/A\",\"status\":\"esp_error\","
		"\"error_num\":\"Received ESP packet with unknown SPI.\","
		"\"spi\":\"2c65ad60\",\"seq\":\"00000007\",\"advpnsc\":0}");
}

static void test_json_escaping(void **state)
{
	(void)state;
	/* quotes, backslashes, a control byte, UTF-8, an invalid byte */
	parse("a=\"say \\\"hi\\\" C:\\\\x \\x01\\x09 gr\xc3\xbc\xc3\x9f "
	      "\xe2\x82\xac bad\xff\xc3\" n=-12 f=1.5 z=007 e=1e5 q=\"3\"");
	assert_true(logconv_json(out, sizeof(out), &rec) > 0);
	assert_string_equal(out, "{\"a\":\"say \\\"hi\\\" C:\\\\x \\u0001\\t "
				 "gr\xc3\xbc\xc3\x9f \xe2\x82\xac "
				 "bad\\ufffd\\ufffd\",\"n\":-12,\"f\":1.5,"
				 "\"z\":\"007\",\"e\":\"1e5\",\"q\":\"3\"}");
}

static void test_json_nospace(void **state)
{
	(void)state;
	parse(ESP_LINE);
	assert_int_equal(logconv_json(out, 20, &rec), -ENOSPC);
}

static void test_csv(void **state)
{
	(void)state;
	parse("date=2024-01-15 msg=\"a, \\\"b\\\"\" n=1");
	assert_true(logconv_csv(out, sizeof(out), &rec) > 0);
	assert_string_equal(out, "date=2024-01-15,msg=\"a, \\\"b\\\"\",n=1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_nospace),
		cmocka_unit_test(test_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
