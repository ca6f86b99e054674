/* images.c — see images.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fs.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/images.h"
#include "runtime/image/store.h"

#define FULL_MAX (REF_NAME_MAX + 32)

/* Docker's path component: [a-z0-9]+ joined by '.', '_', '__' or '-'s. */
static int path_ok(const char *p, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		if (c == '/' || c == '.' || c == '_' || c == '-') {
			if (i == 0 || i + 1 == n || (c == '/' && (p[i - 1] == '/' || p[i + 1] == '/')))
				return 0;
			continue;
		}
		return 0;
	}
	return 1;
}

static int tag_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '_' || t[i] == '.' || t[i] == '-'))
			return 0;
	return 1;
}

int images_ref_normalize(const char *ref, char *out, size_t n, struct berr *e)
{
	char buf[FULL_MAX];
	const char *last, *colon, *slash, *domain = "docker.io", *rest;
	const char *tag = "latest";
	size_t dl = 9;

	if (strlen(ref) >= sizeof(buf) - 1 || strchr(ref, '@'))
		return berr_set(e, EINVAL, "invalid reference format");
	strcpy(buf, ref);
	last = strrchr(buf, '/');
	colon = strrchr(last ? last : buf, ':');
	if (colon) {
		buf[colon - buf] = '\0';
		tag = colon + 1;
		if (!tag_ok(tag))
			return berr_set(e, EINVAL, "invalid reference format");
	}
	rest = buf;
	slash = strchr(buf, '/');
	if (slash && (memchr(buf, '.', (size_t)(slash - buf)) || memchr(buf, ':', (size_t)(slash - buf)) ||
		      (slash - buf == 9 && memcmp(buf, "localhost", 9) == 0))) {
		domain = buf;
		dl = (size_t)(slash - buf);
		rest = slash + 1;
		if (dl == 15 && memcmp(domain, "index.docker.io", 15) == 0)
			domain = "docker.io", dl = 9;
	}
	if (!path_ok(rest, strlen(rest))) {
		for (const char *p = rest; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				return berr_set(e, EINVAL, "invalid reference format: repository name (%s) "
						"must be lowercase", rest);
		return berr_set(e, EINVAL, "invalid reference format");
	}
	if ((size_t)snprintf(out, n, "%.*s/%s%s:%s", (int)dl, domain,
			     dl == 9 && memcmp(domain, "docker.io", 9) == 0 && !strchr(rest, '/') ? "library/" : "",
			     rest, tag) >= n)
		return berr_set(e, EINVAL, "invalid reference format: too long");
	return 0;
}

void images_ref_familiar(const char *full, char *out, size_t n)
{
	const char *p = full;

	if (strncmp(p, "docker.io/", 10) == 0) {
		p += 10;
		if (strncmp(p, "library/", 8) == 0 && !strchr(p + 8, '/'))
			p += 8;
	}
	snprintf(out, n, "%s", p);
}

void images_name_familiar(const char *stored, char *out, size_t n)
{
	char full[FULL_MAX];
	struct berr e;

	if (images_ref_normalize(stored, full, sizeof(full), &e) < 0)
		snprintf(out, n, "%s", stored);
	else
		images_ref_familiar(full, out, n);
}

int images_lock(struct engine *eng, int mode, struct berr *e)
{
	pthread_mutex_lock(&eng->store_mu);
	if (store_lock(&eng->store, (enum store_lock_mode)mode, e) < 0) {
		pthread_mutex_unlock(&eng->store_mu);
		return -1;
	}
	return 0;
}

void images_unlock(struct engine *eng)
{
	pthread_mutex_lock(&eng->mu);
	eng->images_n = eng->store.ix->nimages;
	pthread_mutex_unlock(&eng->mu);
	store_unlock(&eng->store);
	pthread_mutex_unlock(&eng->store_mu);
}

int images_resolve_locked(struct store *s, const char *ref, char hex[DIGEST_HEX_LEN + 1],
			  char name[REF_NAME_MAX], struct berr *e)
{
	char want[FULL_MAX], have[FULL_MAX];
	const struct store_names *nm = &s->ix->names;
	struct berr ign;

	if (images_ref_normalize(ref, want, sizeof(want), &ign) == 0) {
		for (int i = 0; i < nm->n; i++) {
			if (images_ref_normalize(nm->e[i].name, have, sizeof(have), &ign) < 0 ||
			    strcmp(have, want) != 0)
				continue;
			memcpy(hex, nm->e[i].digest + 7, DIGEST_HEX_LEN + 1);
			if (name)
				snprintf(name, REF_NAME_MAX, "%s", nm->e[i].name);
			return 0;
		}
	}
	if (store_resolve(s, ref, hex, name, e) < 0) {
		if (e->errnum == ENOENT)
			berr_set(e, ENOENT, "No such image: %s", ref);
		return -1;
	}
	return 0;
}

int images_resolve(struct engine *eng, const char *ref, char hex[DIGEST_HEX_LEN + 1],
		   char name[REF_NAME_MAX], struct berr *e)
{
	int rc;

	pthread_mutex_lock(&eng->store_mu);
	rc = store_lock(&eng->store, STORE_SHARED, e);
	if (rc == 0) {
		rc = images_resolve_locked(&eng->store, ref, hex, name, e);
		store_unlock(&eng->store);
	}
	pthread_mutex_unlock(&eng->store_mu);
	return rc;
}

int images_config_locked(struct store *s, const char *hex, struct imgconf *c, struct berr *e)
{
	char path[16 + DIGEST_HEX_LEN];
	char *buf = malloc(CONFIG_IMAGE_JSON_MAX);
	ssize_t n;
	int rc;

	if (!buf)
		return berr_set(e, ENOMEM, "image config: out of memory");
	snprintf(path, sizeof(path), "blobs/sha256/%s", hex);
	n = fs_read_at(s->rootfd, path, buf, CONFIG_IMAGE_JSON_MAX, e);
	rc = n < 0 ? berr_prefix(e, "image %.12s", hex) : imgconf_read(buf, (size_t)n, c, e);
	free(buf);
	return rc;
}

int images_config(struct engine *eng, const char *hex, struct imgconf *c, struct berr *e)
{
	int rc;

	pthread_mutex_lock(&eng->store_mu);
	rc = store_lock(&eng->store, STORE_SHARED, e);
	if (rc == 0) {
		rc = images_config_locked(&eng->store, hex, c, e);
		store_unlock(&eng->store);
	}
	pthread_mutex_unlock(&eng->store_mu);
	return rc;
}
