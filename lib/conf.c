/* conf.c — ini files through inih, diagnostics through the caller's
 * callback (lib/conf.h). */
#include "lib/conf.h"

#include <errno.h>
#include <ini.h>

#include "lib/fs.h"

void conf_report(struct conf_reader *r, int line, const struct berr *diag)
{
	r->errors++;
	if (r->report)
		r->report(r->ctx, r->file, line, diag->msg);
}

static int handler(void *user, const char *section, const char *name, const char *value,
		   int lineno)
{
	struct conf_reader *r = user;
	struct berr e;

	berr_clear(&e);
	if (r->on_key(r->ctx, section, name, value, &e) < 0)
		conf_report(r, lineno, &e);
	return 1; /* go on: every wrong line is reported in one run */
}

int conf_parse(struct conf_reader *r, const char *text, struct berr *e)
{
	int rc = ini_parse_string(text, handler, r);

	if (rc < 0)
		return berr_set(e, EIO, "%s: ini parser failed (%d)", r->file, rc);
	if (rc > 0) { /* a line inih itself could not read (no '=' or ']') */
		struct berr d;
		berr_set(&d, EINVAL, "not a section, key = value, or comment");
		conf_report(r, rc, &d);
	}
	return 0;
}

int conf_parse_file(struct conf_reader *r, const char *path, char *buf, size_t size,
		    struct berr *e)
{
	if (fs_read(path, buf, size, e) < 0)
		return -1;
	return conf_parse(r, buf, e);
}
