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
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "log/logconv.h"

static struct logconv_rec rec;
static char out[LOG_LINE_MAX * 2];

#define ESP_LINE                                                               \
	"date=2024-01-15 time=13:34:56 devname=\"gw-1\" "                      \
	"devid=\"FGVM01TM00000001\" eventtime=1705322096123456789 "            \
	"tz=\"+0100\" logid=\"0101037131\" type=\"event\" subtype=\"vpn\" "    \
	"level=\"error\" vd=\"root\" logdesc=\"IPsec ESP\" msg=\"IPsec ESP\" " \
	"action=\"error\" remip=203.0.113.66 locip=198.51.100.1 remport=0 "    \
	"locport=0 assignip=N/A status=\"esp_error\" "                         \
	"error_num=\"Received ESP packet with unknown SPI.\" "                 \
	"spi=\"2c65ad60\" seq=\"00000007\" advpnsc=0\n"

#define TRAFFIC_LINE                                                         \
	"date=2024-01-15 time=13:34:56 devname=\"gw-1\" "                    \
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

static void test_parse_too_many(void **state)
{
	char line[LOGCONV_MAX_FIELDS * 8 + 16];
	size_t i, n = 0;

	(void)state;
	for (i = 0; i <= LOGCONV_MAX_FIELDS; i++)
		n += (size_t)sprintf(line + n, "k%zu=1 ", i);
	assert_int_equal(logconv_parse(&rec, line, n), -E2BIG);
	/* one fewer fits */
	n = (size_t)(strrchr(line, 'k') - line);
	assert_int_equal(logconv_parse(&rec, line, n), 0);
	assert_int_equal(rec.n, LOGCONV_MAX_FIELDS);
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

static void test_cef(void **state)
{
	(void)state;
	parse(ESP_LINE);
	assert_true(logconv_cef(out, sizeof(out), &rec, NULL, "localin") > 0);
	assert_string_equal(
		out,
		"Jan 15 13:34:56 gw-1 CEF:0|Fortinet|Fortigate|localin|37131|"
		"event:vpn error esp_error|5|deviceExternalId=FGVM01TM00000001 "
		"FTNTFGTeventtime=1705322096123456789 FTNTFGTtz=+0100 "
		"FTNTFGTlogid=0101037131 cat=event:vpn FTNTFGTsubtype=vpn "
		"FTNTFGTlevel=error FTNTFGTvd=root FTNTFGTlogdesc=IPsec ESP "
		"msg=IPsec ESP act=error FTNTFGTremip=203.0.113.66 "
		"FTNTFGTlocip=198.51.100.1 FTNTFGTremport=0 FTNTFGTlocport=0 "
		"FTNTFGTassignip=N/A outcome=esp_error "
		"FTNTFGTerror_num=Received ESP packet with unknown SPI. "
		"FTNTFGTspi=2c65ad60 FTNTFGTseq=00000007 FTNTFGTadvpnsc=0");
	parse(TRAFFIC_LINE);
	assert_true(logconv_cef(out, sizeof(out), &rec, "h", "v|1") > 0);
	assert_string_equal(
		out,
		"Jan 15 13:34:56 h CEF:0|Fortinet|Fortigate|v\\|1|00014|"
		"traffic:local deny|3|FTNTFGTeventtime=1705322096123456789 "
		"FTNTFGTtz=+0100 FTNTFGTlogid=0001000014 cat=traffic:local "
		"FTNTFGTsubtype=local FTNTFGTlevel=notice FTNTFGTvd=root "
		"src=203.0.113.5 spt=500 deviceInboundInterface=wan1 "
		"dst=198.51.100.1 dpt=500 deviceOutboundInterface=root "
		"externalId=42 proto=17 act=deny FTNTFGTpolicyid=1 app=IKE "
		"msg=Connection Failed");
	/* '=' and '\\' in extension values, a newline */
	parse("date=2024-01-05 time=01:02:03 logid=\"0001000014\" "
	      "msg=\"a=b\\\\c\\x0ad\"");
	assert_true(logconv_cef(out, sizeof(out), &rec, NULL, "1") > 0);
	assert_string_equal(out, "Jan  5 01:02:03 CEF:0|Fortinet|Fortigate|1|"
				 "00014|:|2|FTNTFGTlogid=0001000014 cat=: "
				 "msg=a\\=b\\\\c\\nd");
}

#define RFC5424_HDR \
	"1 2024-01-15T13:34:56.123456+01:00 gw-1 localin - 0101037131 - "

static void test_rfc5424(void **state)
{
	int n;

	(void)state;
	parse(ESP_LINE);
	n = logconv_pri(out, sizeof(out), 23, logconv_severity(&rec));
	assert_int_equal(n, 5);
	assert_string_equal(out, "<187>");
	n = logconv_rfc5424(out, sizeof(out), &rec, ESP_LINE, strlen(ESP_LINE),
			    NULL, "localin");
	/* the line's newline is not part of the record */
	assert_int_equal(n, strlen(RFC5424_HDR ESP_LINE) - 1);
	assert_memory_equal(out, RFC5424_HDR ESP_LINE, n);
	/* no date: NILVALUE; a host with a space */
	parse("logid=\"1\" tz=\"-0800\"");
	n = logconv_rfc5424(out, sizeof(out), &rec, "x=1", 3, "a b", NULL);
	assert_string_equal(out, "1 - a_b - - 1 - x=1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_too_many),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_nospace),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_cef),
		cmocka_unit_test(test_rfc5424),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
