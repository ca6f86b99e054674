/* conf_value.c — typed configuration values (lib/conf.h); no allocation. */
#include "lib/conf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/caps.h"

#define UNIT_K (1LL << 10)
#define UNIT_M (1LL << 20)
#define UNIT_G (1LL << 30)

struct unit {
	const char *s;
	long long mul;
};

int conf_bad(struct berr *e, const char *key, const char *value, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return berr_set(e, EINVAL, "%s: %s: '%.80s'", key, what, value);
}

/* Leading decimal digits of v into *n; *end after them. -1: no digit or
 * more than ULLONG_MAX. */
static int digits(const char *v, const char **end, unsigned long long *n)
{
	*n = 0;
	if (*v < '0' || *v > '9')
		return -1;
	for (; *v >= '0' && *v <= '9'; v++) {
		unsigned d = (unsigned)(*v - '0');
		if (*n > (ULLONG_MAX - d) / 10)
			return -1;
		*n = *n * 10 + d;
	}
	*end = v;
	return 0;
}

/* N followed by one of units (the factor of each), result in [min, max]. */
static int with_unit(const char *v, const struct unit *units, size_t nunits, long long min,
		     long long max, long long *out)
{
	unsigned long long n;
	const char *end;

	if (min < 0 || digits(v, &end, &n) < 0)
		return -1;
	for (size_t i = 0; i < nunits; i++) {
		if (strcmp(end, units[i].s) != 0)
			continue;
		if (n > (unsigned long long)(max / units[i].mul))
			return -1;
		n *= (unsigned long long)units[i].mul;
		if ((long long)n < min)
			return -1;
		*out = (long long)n;
		return 0;
	}
	return -1;
}

int conf_bool(const char *key, const char *v, int *out, struct berr *e)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return conf_bad(e, key, v, "want yes or no (true/false, on/off, 1/0)");
}

int conf_int(const char *key, const char *v, long long min, long long max, long long *out,
	     struct berr *e)
{
	unsigned long long n;
	const char *end;
	int neg = v[0] == '-' && min < 0;
	long long r;

	if (digits(v + neg, &end, &n) < 0 || *end != '\0')
		goto bad;
	if (neg) {
		if (n > (unsigned long long)LLONG_MAX + 1)
			goto bad;
		r = n == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)n;
	} else {
		if (n > (unsigned long long)LLONG_MAX)
			goto bad;
		r = (long long)n;
	}
	if (r < min || r > max)
		goto bad;
	*out = r;
	return 0;
bad:
	return conf_bad(e, key, v, "want a whole number from %lld to %lld", min, max);
}

/* n as the largest unit that divides it ("16M", "1023K", "10"). */
static const char *show(long long n, const struct unit *units, size_t nunits, char *buf,
			size_t size)
{
	size_t best = 0;

	if (n == 0)
		return "0";
	for (size_t i = 0; i < nunits; i++)
		if (n % units[i].mul == 0 && units[i].mul > units[best].mul)
			best = i;
	snprintf(buf, size, "%lld%s", n / units[best].mul, units[best].s);
	return buf;
}

int conf_size(const char *key, const char *v, long long min, long long max, long long *out,
	      struct berr *e)
{
	static const struct unit units[] = {
		{ "", 1 }, { "K", UNIT_K }, { "M", UNIT_M }, { "G", UNIT_G },
	};
	char a[32], b[32];

	if (with_unit(v, units, sizeof units / sizeof units[0], min, max, out) == 0)
		return 0;
	return conf_bad(e, key, v, "want bytes with an optional K, M or G suffix, from %s to %s",
			show(min, units, 4, a, sizeof a), show(max, units, 4, b, sizeof b));
}

int conf_duration(const char *key, const char *v, long long min_ms, long long max_ms,
		  long long *out_ms, struct berr *e)
{
	static const struct unit units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	char a[32], b[32];

	if (with_unit(v, units, sizeof units / sizeof units[0], min_ms, max_ms, out_ms) == 0)
		return 0;
	return conf_bad(e, key, v, "want N seconds, or N with ms, s, m or h, from %s to %s",
			show(min_ms, units + 1, 4, a, sizeof a),
			show(max_ms, units + 1, 4, b, sizeof b));
}

static int has_control(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return 1;
	return 0;
}

int conf_path(const char *key, const char *v, char *out, size_t size, struct berr *e)
{
	size_t len = 0;
	const char *p = v;

	if (v[0] != '/')
		return conf_bad(e, key, v, "want an absolute path");
	if (has_control(v))
		return conf_bad(e, key, v, "want a path without control characters");
	for (;;) {
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return conf_bad(e, key, v, "want an absolute path without . or .. components");
		if (len + 1 + n >= size)
			return conf_bad(e, key, v, "longer than %zu bytes", size - 1);
		out[len++] = '/';
		memcpy(out + len, p, n);
		len += n;
		p += n;
	}
	if (len == 0) {
		if (size < 2)
			return conf_bad(e, key, v, "longer than %zu bytes", size ? size - 1 : 0);
		out[len++] = '/';
	}
	out[len] = '\0';
	return 0;
}

int conf_string(const char *key, const char *v, char *out, size_t size, struct berr *e)
{
	size_t n = strlen(v);

	if (n >= size)
		return conf_bad(e, key, v, "longer than %zu bytes", size ? size - 1 : 0);
	memcpy(out, v, n + 1);
	return 0;
}

static int label_ok(const char *s, size_t n)
{
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

int conf_hostname(const char *key, const char *v, char *out, size_t size, struct berr *e)
{
	size_t n = strlen(v);
	const char *p = v;

	if (n == 0 || n >= size)
		goto bad;
	for (;;) {
		size_t l = strcspn(p, ".");
		if (!label_ok(p, l))
			goto bad;
		if (!p[l])
			break;
		p += l + 1;
	}
	if (out)
		memcpy(out, v, n + 1);
	return 0;
bad:
	return conf_bad(e, key, v,
			"want 1-%zu bytes of dot-separated labels of letters, digits and '-' "
			"(1-63 each, no '-' first or last)", size ? size - 1 : 0);
}

int conf_id(const char *key, const char *v, uint32_t *id, char name[CONF_ID_NAME_MAX + 1],
	    struct berr *e)
{
	unsigned long long n;
	const char *end;
	size_t len = strlen(v), body = len;

	name[0] = '\0';
	*id = 0;
	if (digits(v, &end, &n) == 0 && *end == '\0') {
		if (n > 4294967294ULL)
			return conf_bad(e, key, v, "want a number from 0 to 4294967294 or a name");
		*id = (uint32_t)n;
		return 0;
	}
	if (len > 0 && v[len - 1] == '$')
		body--;
	if (body == 0 || len > CONF_ID_NAME_MAX || v[0] == '-' ||
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != body)
		return conf_bad(e, key, v,
				"want a number or a name of 1-%d of [A-Za-z0-9._-], not starting with '-'",
				CONF_ID_NAME_MAX);
	memcpy(name, v, len + 1);
	return 0;
}

int conf_caps(const char *key, const char *v, uint64_t *mask, int *all, struct berr *e)
{
	const char *w;
	size_t n;

	if (strcasecmp(v, "none") == 0) {
		*mask = 0;
		*all = 0;
		return 0;
	}
	if (!conf_word_next(&(const char *){ v }, " \t,", &n))
		return conf_bad(e, key, v, "want none, all or capability names");
	while ((w = conf_word_next(&v, " \t,", &n))) {
		char word[40];
		struct berr ce;
		int c;

		if (n >= sizeof word)
			return conf_bad(e, key, w, "unknown capability");
		memcpy(word, w, n);
		word[n] = '\0';
		c = caps_from_name(word, &ce);
		if (c == -2)
			*all = 1;
		else if (c < 0)
			return conf_bad(e, key, word, "unknown capability");
		else
			*mask |= UINT64_C(1) << c;
	}
	return 0;
}

int conf_enum(const char *key, const char *v, const char *const *names, int n, int *out,
	      struct berr *e)
{
	char list[200];
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	list[0] = '\0';
	for (int i = 0; i < n && len < sizeof list; i++) {
		int w = snprintf(list + len, sizeof list - len, "%s%s",
				 i == 0 ? "" : i == n - 1 ? " or " : ", ", names[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	return conf_bad(e, key, v, "want %s", list);
}

const char *conf_word_next(const char **v, const char *seps, size_t *len)
{
	const char *w = *v + strspn(*v, seps);

	if (!*w) {
		*v = w;
		return NULL;
	}
	*len = strcspn(w, seps);
	*v = w + *len;
	return w;
}

int conf_words_add(const char *key, const char *v, const char *seps, struct conf_words *w,
		   struct berr *e)
{
	size_t used = 0, len;
	int n = w->n;
	const char *word, *p = v;

	if (n > 0)
		used = w->off[n - 1] + strlen(w->buf + w->off[n - 1]) + 1;
	while ((word = conf_word_next(&p, seps, &len))) {
		if (n >= w->max || used + len + 1 > w->size || used > USHRT_MAX)
			return conf_bad(e, key, v, "more than %d words or %zu bytes", w->max,
					w->size - 1);
		w->off[n++] = (unsigned short)used;
		memcpy(w->buf + used, word, len);
		w->buf[used + len] = '\0';
		used += len + 1;
	}
	w->n = n;
	return 0;
}
