/* api_metrics.c — GET /metrics: Prometheus text format 0.0.4, chunked
 * (docs/metrics.md). Writes the build and engine families here and calls
 * the host, container and service parts; a scrape holds one fixed buffer
 * that is sent as a chunk each time it fills.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth_revision.h"
#include "lib/initctl.h"
#include "lib/prom.h"
#include "runtime/engine/api.h"
#include "runtime/engine/ctr-internal.h"
#include "runtime/engine/engine.h"
#include "runtime/engine/metrics.h"

#define METRICS_BUF (16 * 1024)
#define METRICS_CTYPE "text/plain; version=0.0.4; charset=utf-8"
#define SVC_CGROUP_DIR "/sys/fs/cgroup/system"   /* init/svc.c's CG_SYSTEM */

/* Bytes of the store's blobs (manifests, configs, compressed layers): one
 * directory scan. The unpacked layers are not walked at scrape time. */
static int store_blob_bytes(const struct engine *eng, uint64_t *total)
{
	char path[ENGINE_PATH_MAX + 32];
	struct dirent *d;
	DIR *dir;
	int fd;

	*total = 0;
	snprintf(path, sizeof(path), "%s/blobs/sha256", eng->conf.data_root);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((d = readdir(dir))) {
		struct stat st;

		if (d->d_name[0] != '.' && fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			*total += (uint64_t)st.st_size;
	}
	closedir(dir);
	return 0;
}

void metrics_engine(struct engine *eng, struct prom_w *w)
{
	static const char *const names[] = { "created", "running", "restarting", "exited", "removing", "dead" };
	uint64_t by_state[6] = { 0 }, blobs;
	int images;

	pthread_mutex_lock(&eng->mu);
	for (int i = 0; eng->ctrs && i < eng->ctrs->n; i++) {
		const struct ctr *c = eng->ctrs->c[i];

		if (!c->gone && c->rec.status >= 0 && c->rec.status < 6)
			by_state[c->rec.status]++;
	}
	images = eng->images_n;
	pthread_mutex_unlock(&eng->mu);

	prom_family(w, "berth_engine_containers", "gauge", "Containers known to berthd, by state.");
	for (int s = 0; s < 6; s++) {
		const char *const l[] = { "state", names[s], NULL };

		prom_sample_u64(w, "berth_engine_containers", l, by_state[s]);
	}
	prom_family(w, "berth_engine_images", "gauge", "Images in the image store.");
	prom_sample_i64(w, "berth_engine_images", NULL, images);
	prom_family(w, "berth_engine_store_blob_bytes", "gauge",
		    "Bytes of the image store's blobs (manifests, configs, compressed layers).");
	if (store_blob_bytes(eng, &blobs) == 0)
		prom_sample_u64(w, "berth_engine_store_blob_bytes", NULL, blobs);
}

static void metrics_build(struct prom_w *w)
{
	const char *const l[] = { "version", ENGINE_VERSION, "revision", BERTH_REVISION, NULL };

	prom_family(w, "berth_build_info", "gauge", "berth's version and git revision at build time; always 1.");
	prom_sample(w, "berth_build_info", l, 1);
}

static int flush_chunk(void *arg, const char *data, size_t len, struct berr *e)
{
	if (reply_chunk(arg, data, len) < 0)
		return berr_set(e, EPIPE, "metrics: sending to the client failed");
	return 0;
}

static int api_metrics(struct req *r)
{
	struct prom_w w;
	struct berr e;
	char *buf = malloc(METRICS_BUF);
	int rc;

	if (!buf)
		return reply_error(r, 500, "metrics: out of memory");
	if (reply_stream_start(r, 200, METRICS_CTYPE) < 0) {
		free(buf);
		return -1;
	}
	prom_w_init(&w, buf, METRICS_BUF, flush_chunk, r);
	metrics_build(&w);
	metrics_engine(r->eng, &w);
	metrics_host(&w, "/proc", r->eng->conf.data_root);
	metrics_ctr(r->eng, &w);
	metrics_svc(&w, INITCTL_PATH, SVC_CGROUP_DIR);
	rc = prom_w_finish(&w, &e);
	free(buf);
	if (rc < 0) {
		/* the body is cut short without its last chunk: the scrape fails */
		log_err(&r->eng->log, &e);
		return -1;
	}
	return reply_stream_end(r);
}

const struct route api_metrics_routes[] = {
	{ "GET", "/metrics", api_metrics, 0 },
	{ NULL },
};
