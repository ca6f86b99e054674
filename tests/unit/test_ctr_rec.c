/* test_ctr_rec.c — container.json round trip, ids, names, sweep. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "runtime/engine/ctr_rec.h"
#include "unit.h"

static int tmpdir(void)
{
	char tpl[] = "/tmp/test_ctr_rec.XXXXXX";
	int fd;

	CHECK(mkdtemp(tpl) != NULL);
	fd = open(tpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	return fd;
}

static void fill(struct ctr_rec *r, const char *body)
{
	struct berr e;

	memset(r, 0, sizeof(*r));
	CHECK(ctr_id_new(r->id, &e) == 0);
	strcpy(r->name, "web_1");
	r->created_ns = 1764525600123456789LL;
	memset(r->image, 'a', CTR_ID_LEN);
	strcpy(r->image_ref, "appliance/hello");
	r->restart_count = 3;
	r->status = CTR_EXITED;
	r->exit_code = 137;
	r->oom_killed = 1;
	r->started_ns = 5;
	r->finished_ns = 6;
	strcpy(r->error, "a \"quoted\" error");
	strcpy(r->ports[0].ip, "127.0.0.1");
	r->ports[0].cport = 80;
	r->ports[0].hport = 32768;
	strcpy(r->ports[1].ip, "0.0.0.0");
	r->ports[1].cport = 53;
	r->ports[1].hport = 5353;
	r->ports[1].udp = 1;
	r->n_ports = 2;
	r->body = strdup(body);
	r->body_len = strlen(body);
}

static void test_roundtrip(void)
{
	const char *body = "{\"Image\":\"x\",\"Cmd\":[\"echo\",\"h\\u00e9\"],\"HostConfig\":{}}";
	struct ctr_rec r, back;
	struct berr e;
	int dfd = tmpdir();

	fill(&r, body);
	CHECK(mkdirat(dfd, r.id, 0700) == 0);
	CHECK(ctr_rec_write(dfd, &r, &e) == 0);
	CHECK(ctr_rec_read(dfd, r.id, &back, &e) == 0);
	CHECK_STR(back.id, r.id);
	CHECK_STR(back.name, "web_1");
	CHECK_INT(back.created_ns, r.created_ns);
	CHECK_STR(back.image_ref, "appliance/hello");
	CHECK_INT(back.restart_count, 3);
	CHECK_INT(back.status, CTR_EXITED);
	CHECK_INT(back.exit_code, 137);
	CHECK_INT(back.oom_killed, 1);
	CHECK_STR(back.error, "a \"quoted\" error");
	/* the ports bound (a HostPort "" got 32768) */
	CHECK_INT(back.n_ports, 2);
	CHECK_STR(back.ports[0].ip, "127.0.0.1");
	CHECK_INT(back.ports[0].hport, 32768);
	CHECK_INT(back.ports[0].udp, 0);
	CHECK_INT(back.ports[1].cport, 53);
	CHECK_INT(back.ports[1].udp, 1);
	CHECK_INT(back.body_len, strlen(body));
	CHECK_STR(back.body, body);
	ctr_rec_free(&back);
	ctr_rec_free(&r);
}

static void test_read_refuses(void)
{
	struct ctr_rec r, back;
	struct berr e;
	char path[128];
	int dfd = tmpdir();

	fill(&r, "{}");
	CHECK(mkdirat(dfd, r.id, 0700) == 0);
	/* a record for another id */
	snprintf(path, sizeof(path), "%s/container.json", r.id);
	CHECK(ctr_rec_write(dfd, &r, &e) == 0);
	r.id[0] = r.id[0] == 'a' ? 'b' : 'a';
	CHECK(mkdirat(dfd, r.id, 0700) == 0);
	CHECK(renameat(dfd, path, dfd, "x") == 0);
	snprintf(path, sizeof(path), "%s/container.json", r.id);
	CHECK(renameat(dfd, "x", dfd, path) == 0);
	CHECK(ctr_rec_read(dfd, r.id, &back, &e) < 0);
	CHECK(strstr(e.msg, "does not match") != NULL);
	/* truncated */
	CHECK(fs_write_atomic_at(dfd, path, "{\"Id\":", 6, 0600, &e) == 0);
	CHECK(ctr_rec_read(dfd, r.id, &back, &e) < 0);
	CHECK(back.body == NULL);
	/* not an id */
	CHECK(ctr_rec_read(dfd, "../etc", &back, &e) < 0);
	/* a record of an older berthd, without State.Ports: none */
	{
		char rec[600];
		int n = snprintf(rec, sizeof(rec),
				 "{\"Id\":\"%s\",\"Name\":\"a1\",\"CreatedNs\":1,\"Image\":\"\",\"ImageRef\":\"\","
				 "\"RestartCount\":0,\"StoppedByUser\":false,\"State\":{\"Status\":\"running\","
				 "\"ExitCode\":0,\"OOMKilled\":false,\"Pid\":1,\"StartedNs\":1,\"FinishedNs\":0,"
				 "\"Error\":\"\",\"IP\":\"\",\"Gateway\":\"\",\"Prefix\":0,\"ProxyPid\":0},\"Body\":{}}",
				 r.id);

		CHECK(fs_write_atomic_at(dfd, path, rec, (size_t)n, 0600, &e) == 0);
		CHECK(ctr_rec_read(dfd, r.id, &back, &e) == 0);
		CHECK_INT(back.n_ports, 0);
		ctr_rec_free(&back);
		/* a port out of range is refused */
		n = snprintf(rec, sizeof(rec),
			     "{\"Id\":\"%s\",\"Name\":\"a1\",\"CreatedNs\":1,\"Image\":\"\",\"ImageRef\":\"\","
			     "\"RestartCount\":0,\"StoppedByUser\":false,\"State\":{\"Status\":\"running\","
			     "\"ExitCode\":0,\"OOMKilled\":false,\"Pid\":1,\"StartedNs\":1,\"FinishedNs\":0,"
			     "\"Error\":\"\",\"IP\":\"\",\"Gateway\":\"\",\"Prefix\":0,\"ProxyPid\":0,"
			     "\"Ports\":[{\"HostIp\":\"\",\"HostPort\":0,\"Port\":80,\"Udp\":false}]},\"Body\":{}}",
			     r.id);
		CHECK(fs_write_atomic_at(dfd, path, rec, (size_t)n, 0600, &e) == 0);
		CHECK(ctr_rec_read(dfd, r.id, &back, &e) < 0);
		CHECK(strstr(e.msg, "Ports[0]") != NULL);
	}
	ctr_rec_free(&r);
}

static void test_ids(void)
{
	char a[CTR_ID_LEN + 1], b[CTR_ID_LEN + 1];
	struct berr e;

	CHECK(ctr_id_new(a, &e) == 0);
	CHECK(ctr_id_new(b, &e) == 0);
	CHECK(ctr_id_valid(a));
	CHECK(strcmp(a, b) != 0);
	CHECK(!ctr_id_valid("abc"));
	a[5] = 'A';
	CHECK(!ctr_id_valid(a));
}

static void test_names(void)
{
	char out[CTR_NAME_MAX];
	char longname[300];
	struct berr e;

	CHECK(ctr_name_check("/web", out, &e) == 0);
	CHECK_STR(out, "web");
	CHECK(ctr_name_check("a.b-c_d9", out, &e) == 0);
	CHECK(ctr_name_check("x", out, &e) < 0);
	CHECK_STR(e.msg, "Invalid container name (x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
	CHECK(ctr_name_check("_ab", out, &e) < 0);
	CHECK(ctr_name_check("a/b", out, &e) < 0);
	CHECK(ctr_name_check("//ab", out, &e) < 0);
	CHECK(ctr_name_check("", out, &e) < 0);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(ctr_name_check(longname, out, &e) < 0);
}

static void test_sweep_and_remove(void)
{
	struct ctr_rec r;
	struct berr e;
	struct stat st;
	char half[CTR_ID_LEN + 1];
	int dfd = tmpdir();

	fill(&r, "{}");
	CHECK(mkdirat(dfd, r.id, 0700) == 0);
	CHECK(ctr_rec_write(dfd, &r, &e) == 0);
	/* an interrupted create: a directory with upper/ but no record */
	CHECK(ctr_id_new(half, &e) == 0);
	CHECK(mkdirat(dfd, half, 0700) == 0);
	CHECK(mkdirat(dfd, "keep-me", 0700) == 0);
	CHECK_INT(ctr_rec_sweep(dfd, &e), 1);
	CHECK(fstatat(dfd, half, &st, 0) < 0 && errno == ENOENT);
	CHECK(fstatat(dfd, r.id, &st, 0) == 0);
	CHECK(fstatat(dfd, "keep-me", &st, 0) == 0);
	CHECK(ctr_rec_remove(dfd, r.id, &e) == 0);
	CHECK(fstatat(dfd, r.id, &st, 0) < 0 && errno == ENOENT);
	ctr_rec_free(&r);
}

static void test_restart_wanted(void)
{
	CHECK(!ctr_restart_wanted(CTR_RESTART_NO, 1, 0, 0, 0));
	CHECK(ctr_restart_wanted(CTR_RESTART_ALWAYS, 0, 50, 0, 0));
	CHECK(ctr_restart_wanted(CTR_RESTART_UNLESS_STOPPED, 0, 0, 0, 0));
	CHECK(!ctr_restart_wanted(CTR_RESTART_ALWAYS, 1, 0, 0, 1));
	CHECK(!ctr_restart_wanted(CTR_RESTART_UNLESS_STOPPED, 1, 0, 0, 1));
	/* on-failure: non-zero exits only, at most N restarts, 0 is no limit */
	CHECK(!ctr_restart_wanted(CTR_RESTART_ON_FAILURE, 0, 0, 0, 0));
	CHECK(ctr_restart_wanted(CTR_RESTART_ON_FAILURE, 2, 0, 3, 0));
	CHECK(ctr_restart_wanted(CTR_RESTART_ON_FAILURE, 2, 2, 3, 0));
	CHECK(!ctr_restart_wanted(CTR_RESTART_ON_FAILURE, 2, 3, 3, 0));
	CHECK(ctr_restart_wanted(CTR_RESTART_ON_FAILURE, 137, 1000, 0, 0));
	CHECK(!ctr_restart_wanted(CTR_RESTART_ON_FAILURE, 137, 0, 0, 1));
}

static void test_restart_delay(void)
{
	int b = 0;
	const int64_t quick = 1000000, long_run = 10LL * 1000000000;

	/* 100 ms, doubling, capped */
	CHECK_INT(ctr_restart_delay(&b, quick, 1000), 100);
	CHECK_INT(ctr_restart_delay(&b, quick, 1000), 200);
	CHECK_INT(ctr_restart_delay(&b, quick, 1000), 400);
	CHECK_INT(ctr_restart_delay(&b, quick, 1000), 800);
	CHECK_INT(ctr_restart_delay(&b, quick, 1000), 1000);
	CHECK_INT(ctr_restart_delay(&b, quick, 1000), 1000);
	/* a run of 10 s resets it */
	CHECK_INT(ctr_restart_delay(&b, long_run, 1000), 100);
	CHECK_INT(ctr_restart_delay(&b, quick, 1000), 200);
	/* a cap below the first step */
	b = 0;
	CHECK_INT(ctr_restart_delay(&b, quick, 100), 100);
	CHECK_INT(ctr_restart_delay(&b, quick, 100), 100);
}

UNIT_MAIN(UNIT(test_roundtrip), UNIT(test_read_refuses), UNIT(test_ids), UNIT(test_names),
	  UNIT(test_sweep_and_remove), UNIT(test_restart_wanted), UNIT(test_restart_delay))
