/* test_json.c — the strict reader (grammar, escapes, surrogates, UTF-8,
 * duplicate keys, depth) and the bounded writer (escaping, nesting, cap). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "tests/unit/unit.h"

#define NTOK 256

static jsmntok_t tok[NTOK];

static int parse(struct json *j, const char *s, struct berr *e)
{
	return json_parse(j, s, strlen(s), tok, NTOK, e);
}

static int parse_n(struct json *j, const char *s, size_t n, struct berr *e)
{
	return json_parse(j, s, n, tok, NTOK, e);
}

static void accepts_valid_documents(void)
{
	static const char *ok[] = {
		"{}", "[]", " [ ] ", "\t{\r\n}\n", "[1,-1,0,-0,1.5,1e9,1E+9,-1.25e-3,0.0]",
		"[true,false,null]", "{\"a\":{\"b\":[{},[]]},\"c\":\"\"}", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
		"[\"\\u00e9\\uD83D\\uDE00\"]", "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]",
		"{\"a\" : 1 , \"b\" :2}",
	};
	struct json j;
	struct berr e;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (parse(&j, ok[i], &e) < 0)
			UNIT_FAIL_("%s refused: %s", ok[i], e.msg);
}

static void refuses_malformed_documents(void)
{
	static const char *bad[] = {
		"", " ", "1", "\"a\"", "[1,]", "[,1]", "[1 2]", "[1,,2]", "{\"a\":1,}", "{,}",
		"{\"a\" 1}", "{\"a\":1 \"b\":2}", "{\"a\":}", "{\"a\"}", "{1:2}", "[1:2]",
		"[01]", "[1.]", "[.5]", "[1e]", "[+1]", "[-]", "[tru]", "[truex]", "[nul]", "[NaN]",
		"[\"\\x\"]", "[\"\\u12\"]", "[\"\\u12G4\"]", "[\"a\tb\"]", "[\"a\nb\"]", "[1] [2]",
		"[1] x", "[1", "{\"a\":1", "[\"abc]", "]", "[}", "{]", "[1]]",
	};
	struct json j;
	struct berr e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(&j, bad[i], &e) == 0)
			UNIT_FAIL_("%s accepted", bad[i]);
	/* a NUL byte ends nothing: the rest of the buffer must be checked */
	CHECK(parse_n(&j, "[1]\0garbage", 11, &e) < 0);
	CHECK(parse_n(&j, "[\"a\0b\"]", 7, &e) < 0);
}

static void unescapes_strings(void)
{
	struct json j;
	struct berr e;
	char buf[64];
	size_t n;

	CHECK_INT(parse(&j, "[\"a\\\"b\\\\c\\/d\\n\\t\\r\\b\\f\",\"\\u0041\\u00e9\\u20ac\"]", &e), 0);
	CHECK_INT(json_str(&j, 1, buf, sizeof buf, &e), 0);
	CHECK_STR(buf, "a\"b\\c/d\n\t\r\b\f");
	CHECK_INT(json_str(&j, 2, buf, sizeof buf, &e), 0);
	CHECK_STR(buf, "A\xc3\xa9\xe2\x82\xac");
	/* \u0000: refused by json_str, kept by json_strn */
	CHECK_INT(parse(&j, "[\"a\\u0000b\"]", &e), 0);
	CHECK(json_str(&j, 1, buf, sizeof buf, &e) < 0);
	CHECK_INT(json_strn(&j, 1, buf, sizeof buf, &n, &e), 0);
	CHECK_INT(n, 3);
	CHECK(memcmp(buf, "a\0b", 3) == 0);
	/* exact fit and one byte over */
	CHECK_INT(parse(&j, "[\"\\u00e9\"]", &e), 0);
	CHECK_INT(json_str(&j, 1, buf, 3, &e), 0);
	CHECK(json_str(&j, 1, buf, 2, &e) < 0);
	CHECK_INT(e.errnum, ENAMETOOLONG);
}

static void decodes_surrogate_pairs(void)
{
	struct json j;
	struct berr e;
	char buf[16];

	CHECK_INT(parse(&j, "[\"\\ud83d\\ude00\",\"\\uDBFF\\uDFFF\",\"\\uD800\\uDC00\"]", &e), 0);
	CHECK_INT(json_str(&j, 1, buf, sizeof buf, &e), 0);
	CHECK_STR(buf, "\xf0\x9f\x98\x80");
	CHECK_INT(json_str(&j, 2, buf, sizeof buf, &e), 0);
	CHECK_STR(buf, "\xf4\x8f\xbf\xbf");
	CHECK_INT(json_str(&j, 3, buf, sizeof buf, &e), 0);
	CHECK_STR(buf, "\xf0\x90\x80\x80");
	/* lone, reversed, or broken pairs */
	CHECK(parse(&j, "[\"\\ud83d\"]", &e) < 0);
	CHECK(parse(&j, "[\"\\ude00\"]", &e) < 0);
	CHECK(parse(&j, "[\"\\ude00\\ud83d\"]", &e) < 0);
	CHECK(parse(&j, "[\"\\ud83d\\ud83d\"]", &e) < 0);
	CHECK(parse(&j, "[\"\\ud83dx\\ude00\"]", &e) < 0);
	CHECK(parse(&j, "[\"\\ud83d\\u0041\"]", &e) < 0);
	CHECK(parse(&j, "[\"\\ud83d\\n\"]", &e) < 0);
}

static void refuses_invalid_utf8(void)
{
	static const char *bad[] = {
		"[\"\x80\"]",			/* lone continuation */
		"[\"\xc3\"]",			/* truncated */
		"[\"\xc3\x28\"]",		/* bad continuation */
		"[\"\xc0\xaf\"]",		/* overlong / */
		"[\"\xc1\xbf\"]",		/* overlong */
		"[\"\xe0\x80\xaf\"]",		/* overlong, 3 bytes */
		"[\"\xf0\x80\x80\xaf\"]",	/* overlong, 4 bytes */
		"[\"\xed\xa0\x80\"]",		/* U+D800 encoded */
		"[\"\xed\xbf\xbf\"]",		/* U+DFFF encoded */
		"[\"\xf4\x90\x80\x80\"]",	/* above U+10FFFF */
		"[\"\xf5\x80\x80\x80\"]",
		"[\"\xfe\"]", "[\"\xff\"]",
		"[\"\xe2\x82\"]",		/* truncated at the quote */
		"{\"k\xff\":1}",		/* in a key */
		"[1]\xc3\xa9",			/* after the value */
	};
	struct json j;
	struct berr e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(&j, bad[i], &e) == 0)
			UNIT_FAIL_("bad UTF-8 #%zu accepted", i);
	/* the edges that are valid */
	CHECK_INT(parse(&j, "[\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"]", &e), 0);
}

static void refuses_duplicate_keys(void)
{
	struct json j;
	struct berr e;
	char big[4096];
	size_t o = 0;

	CHECK(parse(&j, "{\"a\":1,\"a\":2}", &e) < 0);
	CHECK(strstr(e.msg, "\"a\"") != NULL);
	CHECK(parse(&j, "{\"Privileged\":false,\"Privil\\u0065ged\":true}", &e) < 0);
	CHECK(strstr(e.msg, "Privil") != NULL);
	CHECK(parse(&j, "{\"\\u00e9\":1,\"\xc3\xa9\":2}", &e) < 0);
	CHECK(parse(&j, "{\"\\/\":1,\"/\":2}", &e) < 0);
	CHECK(parse(&j, "{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", &e) < 0);
	/* same key in different objects is fine; a prefix is a different key */
	CHECK_INT(parse(&j, "{\"a\":{\"a\":1},\"b\":{\"a\":2},\"ab\":0,\"a\\u0000\":1}", &e), 0);
	/* after a nested object: the outer list survives the inner one */
	CHECK(parse(&j, "{\"x\":1,\"o\":{\"y\":1,\"z\":2},\"x\":3}", &e) < 0);
	/* large objects go through the sort: a duplicate at the far ends */
	o += (size_t)snprintf(big + o, sizeof big - o, "{\"k99\":0");
	for (int i = 0; i < 99; i++)
		o += (size_t)snprintf(big + o, sizeof big - o, ",\"k%d\":%d", i, i);
	snprintf(big + o, sizeof big - o, "}");
	{
		static jsmntok_t t[512];
		CHECK_INT(json_parse(&j, big, strlen(big), t, 512, &e), 0);
		CHECK_INT(json_get(&j, 0, "k42") > 0, 1);
		/* key sizes are put back after the sort */
		for (int i = 1; i < j.ntok; i += 2)
			CHECK_INT(t[i].size, 1);
		big[strlen(big) - 1] = '\0';
		strcat(big, ",\"k\\u00399\":1}");
		CHECK(json_parse(&j, big, strlen(big), t, 512, &e) < 0);
		CHECK(strstr(e.msg, "twice") != NULL);
	}
}

static void bounds_depth(void)
{
	char s[2 * CONFIG_JSON_DEPTH_MAX + 8];
	struct json j;
	struct berr e;
	int d = CONFIG_JSON_DEPTH_MAX;

	memset(s, '[', (size_t)d);
	memset(s + d, ']', (size_t)d);
	s[2 * d] = '\0';
	CHECK_INT(parse(&j, s, &e), 0);
	memset(s, '[', (size_t)d + 1);
	memset(s + d + 1, ']', (size_t)d + 1);
	s[2 * d + 2] = '\0';
	CHECK(parse(&j, s, &e) < 0);
	CHECK(strstr(e.msg, "deeper") != NULL);
	/* brackets inside strings do not count */
	CHECK_INT(parse(&j, "[\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"\"]", &e), 0);
}

static void token_limit_is_the_callers(void)
{
	struct json j;
	jsmntok_t t[4];
	struct berr e;

	CHECK(json_parse(&j, "[1,2,3,4]", 9, t, 4, &e) < 0);
	CHECK_INT(e.errnum, E2BIG);
	CHECK_INT(json_parse(&j, "[1,2,3]", 7, t, 4, &e), 0);
}

static void typed_accessors(void)
{
	struct json j;
	struct berr e;
	bool b = false;
	int64_t v = 0;
	uint64_t u = 0;
	const char *s = "{\"t\":true,\"f\":false,\"n\":null,\"i\":-42,\"big\":9223372036854775807,"
			"\"min\":-9223372036854775808,\"over\":9223372036854775808,\"fr\":1.5,"
			"\"u\":18446744073709551615,\"s\":\"x\"}";

	CHECK_INT(parse(&j, s, &e), 0);
	CHECK_INT(json_bool(&j, json_get(&j, 0, "t"), &b, &e), 0);
	CHECK(b);
	CHECK_INT(json_bool(&j, json_get(&j, 0, "f"), &b, &e), 0);
	CHECK(!b);
	CHECK(json_bool(&j, json_get(&j, 0, "n"), &b, &e) < 0);
	CHECK(json_bool(&j, json_get(&j, 0, "s"), &b, &e) < 0);
	CHECK(json_is_null(&j, json_get(&j, 0, "n")));
	CHECK(!json_is_null(&j, json_get(&j, 0, "f")));
	CHECK_INT(json_i64(&j, json_get(&j, 0, "i"), -100, 100, &v, &e), 0);
	CHECK_INT(v, -42);
	CHECK(json_i64(&j, json_get(&j, 0, "i"), 0, 100, &v, &e) < 0);
	CHECK_INT(e.errnum, ERANGE);
	CHECK_INT(json_i64(&j, json_get(&j, 0, "big"), INT64_MIN, INT64_MAX, &v, &e), 0);
	CHECK(v == INT64_MAX);
	CHECK_INT(json_i64(&j, json_get(&j, 0, "min"), INT64_MIN, INT64_MAX, &v, &e), 0);
	CHECK(v == INT64_MIN);
	CHECK(json_i64(&j, json_get(&j, 0, "over"), INT64_MIN, INT64_MAX, &v, &e) < 0);
	CHECK(json_i64(&j, json_get(&j, 0, "fr"), INT64_MIN, INT64_MAX, &v, &e) < 0);
	CHECK(json_i64(&j, json_get(&j, 0, "s"), INT64_MIN, INT64_MAX, &v, &e) < 0);
	CHECK_INT(json_u64(&j, json_get(&j, 0, "u"), &u, &e), 0);
	CHECK(u == UINT64_MAX);
	CHECK(json_u64(&j, json_get(&j, 0, "i"), &u, &e) < 0);
	CHECK_INT(json_get(&j, 0, "missing"), -1);
	CHECK_INT(json_get(&j, json_get(&j, 0, "s"), "x"), -1);
}

static void iterates_members(void)
{
	struct json j;
	struct json_iter it;
	struct berr e;
	char k[16];
	int key, val, n = 0;

	CHECK_INT(parse(&j, "{\"a\":[1,{\"x\":2}],\"b\\u0063\":{},\"d\":\"e\"}", &e), 0);
	json_iter_init(&j, 0, &it);
	while (json_iter_next(&j, &it, &key, &val)) {
		CHECK_INT(json_str(&j, key, k, sizeof k, &e), 0);
		if (n == 0) {
			CHECK_STR(k, "a");
			CHECK_INT(json_type(&j, val), JSMN_ARRAY);
		} else if (n == 1) {
			CHECK_STR(k, "bc");
			CHECK(json_eq(&j, key, "bc"));
			CHECK(!json_eq(&j, key, "b"));
			CHECK_INT(json_type(&j, val), JSMN_OBJECT);
		} else {
			CHECK_STR(k, "d");
		}
		n++;
	}
	CHECK_INT(n, 3);
	CHECK(json_get(&j, 0, "bc") > 0);
	/* arrays: no keys */
	json_iter_init(&j, json_get(&j, 0, "a"), &it);
	n = 0;
	while (json_iter_next(&j, &it, &key, &val)) {
		CHECK_INT(key, -1);
		n++;
	}
	CHECK_INT(n, 2);
	/* not a container: nothing */
	json_iter_init(&j, json_get(&j, 0, "d"), &it);
	CHECK_INT(json_iter_next(&j, &it, &key, &val), 0);
}

static const char *wfinish(struct json_w *w)
{
	static struct berr e;
	const char *out;
	size_t n;

	if (json_w_finish(w, &out, &n, &e) < 0)
		return e.msg;
	CHECK_INT(strlen(out), n);
	return out;
}

static void writer_string_lists(void)
{
	char buf[128];
	struct json_w w;
	const char *v[] = { "a", "b\"" };

	json_w_init(&w, buf, sizeof buf);
	json_w_obj(&w);
	json_w_kstrs(&w, "two", v, 2, true);
	json_w_kstrs(&w, "empty", v, 0, true);
	json_w_kstrs(&w, "unset", v, 2, false);
	json_w_obj_end(&w);
	CHECK_STR(wfinish(&w), "{\"two\":[\"a\",\"b\\\"\"],\"empty\":[],\"unset\":null}");
}

static void writer_escapes(void)
{
	char buf[256];
	struct json_w w;

	json_w_init(&w, buf, sizeof buf);
	json_w_obj(&w);
	json_w_kstr(&w, "q\"b\\", "a\x01\x1f\x7f\n\t\r\b\f/\xc3\xa9\xf0\x9f\x98\x80");
	json_w_key(&w, "nul");
	json_w_strn(&w, "a\0b", 3);
	json_w_ki64(&w, "min", INT64_MIN);
	json_w_ku64(&w, "max", UINT64_MAX);
	json_w_kbool(&w, "t", true);
	json_w_key(&w, "n");
	json_w_null(&w);
	json_w_key(&w, "a");
	json_w_arr(&w);
	json_w_i64(&w, 0);
	json_w_arr(&w);
	json_w_arr_end(&w);
	json_w_obj(&w);
	json_w_obj_end(&w);
	json_w_raw(&w, "{\"r\":1}", 7);
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	CHECK_STR(wfinish(&w), "{\"q\\\"b\\\\\":\"a\\u0001\\u001f\\u007f\\n\\t\\r\\b\\f/\xc3\xa9\xf0\x9f\x98\x80\","
		  "\"nul\":\"a\\u0000b\",\"min\":-9223372036854775808,\"max\":18446744073709551615,"
		  "\"t\":true,\"n\":null,\"a\":[0,[],{},{\"r\":1}]}");
	/* and it reads back */
	{
		struct json j;
		struct berr e;
		char s[64];
		size_t n;
		CHECK_INT(parse(&j, buf, &e), 0);
		CHECK_INT(json_strn(&j, json_get(&j, 0, "q\"b\\"), s, sizeof s, &n, &e), 0);
		CHECK(memcmp(s, "a\x01\x1f\x7f\n\t\r\b\f/\xc3\xa9\xf0\x9f\x98\x80", n) == 0);
	}
}

static void writer_refuses_bad_utf8(void)
{
	static const char *bad[] = { "\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "a\x80" };
	char buf[64];
	struct json_w w;
	const char *out;
	size_t n;
	struct berr e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_w_init(&w, buf, sizeof buf);
		json_w_arr(&w);
		json_w_str(&w, bad[i]);
		json_w_arr_end(&w);
		CHECK(json_w_finish(&w, &out, &n, &e) < 0);
		CHECK_INT(e.errnum, EILSEQ);
	}
	json_w_init(&w, buf, sizeof buf);
	json_w_obj(&w);
	json_w_key(&w, "k\xff");
	json_w_null(&w);
	json_w_obj_end(&w);
	CHECK(json_w_finish(&w, &out, &n, &e) < 0);
}

static void writer_misuse_is_sticky(void)
{
	char buf[64];
	struct json_w w;
	const char *out;
	size_t n;
	struct berr e;

	json_w_init(&w, buf, sizeof buf);
	json_w_obj(&w);
	json_w_str(&w, "value without a key");
	json_w_obj_end(&w);
	CHECK(json_w_finish(&w, &out, &n, &e) < 0);
	CHECK_INT(e.errnum, EINVAL);
	json_w_init(&w, buf, sizeof buf);
	json_w_arr(&w);
	json_w_key(&w, "key in an array");
	CHECK(json_w_finish(&w, &out, &n, &e) < 0);
	json_w_init(&w, buf, sizeof buf);
	json_w_arr(&w);
	json_w_obj_end(&w);
	CHECK(json_w_finish(&w, &out, &n, &e) < 0);
	json_w_init(&w, buf, sizeof buf);
	json_w_arr(&w);
	CHECK(json_w_finish(&w, &out, &n, &e) < 0); /* unfinished */
	json_w_init(&w, buf, sizeof buf);
	json_w_arr(&w);
	json_w_arr_end(&w);
	json_w_arr(&w); /* a second top-level value */
	json_w_arr_end(&w);
	CHECK(json_w_finish(&w, &out, &n, &e) < 0);
	json_w_init(&w, buf, sizeof buf);
	for (int i = 0; i <= CONFIG_JSON_DEPTH_MAX; i++)
		json_w_arr(&w);
	CHECK(json_w_finish(&w, &out, &n, &e) < 0);
}

static void writer_cap_is_an_error(void)
{
	char buf[9];
	struct json_w w;
	const char *out;
	size_t n;
	struct berr e;

	/* "[\"abcd\"]" is 8 bytes: fits with its NUL in 9 */
	json_w_init(&w, buf, sizeof buf);
	json_w_arr(&w);
	json_w_str(&w, "abcd");
	json_w_arr_end(&w);
	CHECK_INT(json_w_finish(&w, &out, &n, &e), 0);
	CHECK_STR(out, "[\"abcd\"]");
	/* one more byte: refused, not cut */
	json_w_init(&w, buf, sizeof buf);
	json_w_arr(&w);
	json_w_str(&w, "abcde");
	json_w_arr_end(&w);
	CHECK(json_w_finish(&w, &out, &n, &e) < 0);
	CHECK_INT(e.errnum, E2BIG);
	/* an escape that would straddle the end */
	json_w_init(&w, buf, sizeof buf);
	json_w_arr(&w);
	json_w_str(&w, "a\x01");
	json_w_arr_end(&w);
	CHECK(json_w_finish(&w, &out, &n, &e) < 0);
	CHECK_INT(e.errnum, E2BIG);
}

static void writer_grows_up_to_its_cap(void)
{
	struct json_w w;
	const char *out;
	size_t n;
	struct berr e;

	json_w_init_grow(&w, 1 << 20);
	json_w_arr(&w);
	for (int i = 0; i < 10000; i++)
		json_w_u64(&w, 123456789);
	json_w_arr_end(&w);
	CHECK_INT(json_w_finish(&w, &out, &n, &e), 0);
	CHECK_INT(n, 2 + 10000 * 9 + 9999);
	json_w_free(&w);

	json_w_init_grow(&w, 1000);
	json_w_arr(&w);
	for (int i = 0; i < 10000; i++)
		json_w_u64(&w, 123456789);
	json_w_arr_end(&w);
	CHECK(json_w_finish(&w, &out, &n, &e) < 0);
	CHECK_INT(e.errnum, E2BIG);
	json_w_free(&w);
}

UNIT_MAIN(UNIT(accepts_valid_documents), UNIT(refuses_malformed_documents),
	  UNIT(unescapes_strings), UNIT(decodes_surrogate_pairs), UNIT(refuses_invalid_utf8),
	  UNIT(refuses_duplicate_keys), UNIT(bounds_depth), UNIT(token_limit_is_the_callers),
	  UNIT(typed_accessors), UNIT(iterates_members), UNIT(writer_escapes),
	  UNIT(writer_refuses_bad_utf8), UNIT(writer_misuse_is_sticky), UNIT(writer_cap_is_an_error),
	  UNIT(writer_grows_up_to_its_cap), UNIT(writer_string_lists))
