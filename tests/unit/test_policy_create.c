/* test_policy_create.c — create_req_parse and exec_req_parse: the CLI's
 * real bodies, Go's key folding refused, duplicates, strict types, bounds,
 * and the normalisation of mounts and ports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/policy/create.h"
#include "runtime/policy/exec.h"
#include "unit.h"

/* `docker run --rm img true` from the stock CLI 28.2.2 */
static const char plain_body[] =
	"{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout"
	"\":true,\"AttachStderr\":true,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env"
	"\":null,\"Cmd\":[\"true\"],\"Image\":\"img\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoi"
	"nt\":null,\"OnBuild\":null,\"Labels\":{},\"HostConfig\":{\"Binds\":null,\"ContainerIDFile"
	"\":\"\",\"LogConfig\":{\"Type\":\"\",\"Config\":{}},\"NetworkMode\":\"default\",\"PortBind"
	"ings\":{},\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0},\"AutoRemove\":true,"
	"\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAdd\":null,\"CapDrop"
	"\":null,\"CgroupnsMode\":\"\",\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\""
	":null,\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,"
	"\"PidMode\":\"\",\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false,"
	"\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\",\"ShmSize\":0,\"Isolation\":\"\""
	",\"CpuShares\":0,\"Memory\":0,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"Blk"
	"ioWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceRead"
	"IOps\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\""
	":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[],\"Devic"
	"eCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,\"Mem"
	"orySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":0,\"Ulimits\":[],\"CpuCount\":0,"
	"\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"MaskedPaths\":null,\"Reado"
	"nlyPaths\":null},\"NetworkingConfig\":{\"EndpointsConfig\":{\"default\":{\"IPAMConfig\":nu"
	"ll,\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"DriverOpts\":null,\"GwPriority\":"
	"0,\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\",\"IPPrefixLen"
	"\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames"
	"\":null}}}}";

/* docker run -d --name web -p 127.0.0.1:8080:80 -v myvol:/data --mount type=bind,src=/,dst=/host
 * --tmpfs /run:size=64m --cap-add SYS_ADMIN --cap-drop ALL --privileged --device /dev/sda --pid host
 * --security-opt seccomp=unconfined --sysctl net.ipv4.ip_forward=1 --restart on-failure:3 -m 64m
 * --cpus 1.5 --pids-limit 100 --ulimit nofile=100:200 -e A=B -l x=y --user 1:2 -w /tmp --read-only
 * --init --dns 1.1.1.1 --add-host a:1.2.3.4 --group-add 10 --mount type=volume,src=v2,dst=/v2,
 * volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc --security-opt systempaths=unconfined
 * --stop-signal SIGINT --stop-timeout 5 -it img sh -c 'echo hi' */
static const char danger_body[] =
	"{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"1:2\",\"AttachStdin\":false,\"AttachStdo"
	"ut\":false,\"AttachStderr\":false,\"ExposedPorts\":{\"80/tcp\":{}},\"Tty\":true,\"OpenStdi"
	"n\":true,\"StdinOnce\":false,\"Env\":[\"A=B\"],\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],\"Image"
	"\":\"img\",\"Volumes\":{},\"WorkingDir\":\"/tmp\",\"Entrypoint\":null,\"OnBuild\":null,\"L"
	"abels\":{\"x\":\"y\"},\"StopSignal\":\"SIGINT\",\"StopTimeout\":5,\"HostConfig\":{\"Binds"
	"\":[\"myvol:/data\"],\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\",\"Config\":{}},"
	"\"NetworkMode\":\"default\",\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"Host"
	"Port\":\"8080\"}]},\"RestartPolicy\":{\"Name\":\"on-failure\",\"MaximumRetryCount\":3},\"A"
	"utoRemove\":false,\"VolumeDriver\":\"\",\"VolumesFrom\":null,\"ConsoleSize\":[0,0],\"CapAd"
	"d\":[\"CAP_SYS_ADMIN\"],\"CapDrop\":[\"ALL\"],\"CgroupnsMode\":\"\",\"Dns\":[\"1.1.1.1\"],"
	"\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":[\"a:1.2.3.4\"],\"GroupAdd\":[\"10\"],\""
	"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null,\"OomScoreAdj\":0,\"PidMode\":\"host\",\"Pri"
	"vileged\":true,\"PublishAllPorts\":false,\"ReadonlyRootfs\":true,\"SecurityOpt\":[\"seccom"
	"p=unconfined\"],\"Tmpfs\":{\"/run\":\"size=64m\"},\"UTSMode\":\"\",\"UsernsMode\":\"\",\"S"
	"hmSize\":0,\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"},\"Isolation\":\"\",\"CpuShares\":0,"
	"\"Memory\":67108864,\"NanoCpus\":1500000000,\"CgroupParent\":\"\",\"BlkioWeight\":0,\"Blki"
	"oWeightDevice\":[],\"BlkioDeviceReadBps\":[],\"BlkioDeviceWriteBps\":[],\"BlkioDeviceReadI"
	"Ops\":[],\"BlkioDeviceWriteIOps\":[],\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":"
	"0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Devices\":[{\"PathOnH"
	"ost\":\"/dev/sda\",\"PathInContainer\":\"/dev/sda\",\"CgroupPermissions\":\"rwm\"}],\"Devi"
	"ceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"MemorySwap\":0,\"Me"
	"morySwappiness\":-1,\"OomKillDisable\":false,\"PidsLimit\":100,\"Ulimits\":[{\"Name\":\"no"
	"file\",\"Hard\":200,\"Soft\":100}],\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"I"
	"OMaximumBandwidth\":0,\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/host\""
	"},{\"Type\":\"volume\",\"Source\":\"v2\",\"Target\":\"/v2\",\"VolumeOptions\":{\"DriverCon"
	"fig\":{\"Options\":{\"device\":\"/etc\",\"o\":\"bind\",\"type\":\"none\"}}}}],\"MaskedPath"
	"s\":[],\"ReadonlyPaths\":[],\"Init\":true},\"NetworkingConfig\":{\"EndpointsConfig\":{\"de"
	"fault\":{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":null,\"MacAddress\":\"\",\"DriverO"
	"pts\":null,\"GwPriority\":0,\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAd"
	"dress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv"
	"6PrefixLen\":0,\"DNSNames\":null}}}}";

/* python3-docker 7.1: containers.create("img", "true") */
static const char py_plain[] =
	"{\"Tty\": false, \"OpenStdin\": false, \"StdinOnce\": false, \"AttachStdin\": false, \"Att"
	"achStdout\": true, \"AttachStderr\": true, \"Cmd\": [\"true\"], \"Image\": \"img\", \"Netw"
	"orkDisabled\": false, \"HostConfig\": {\"NetworkMode\": \"default\"}}";

/* ... with ports, a named volume read-only, env, mem_limit, restart, tty, cap_add, privileged */
static const char py_full[] =
	"{\"ExposedPorts\": {\"80/tcp\": {}}, \"Tty\": true, \"OpenStdin\": false, \"StdinOnce\": f"
	"alse, \"AttachStdin\": false, \"AttachStdout\": false, \"AttachStderr\": false, \"Env\": ["
	"\"A=B\"], \"Cmd\": [\"true\"], \"Image\": \"img\", \"Volumes\": {\"/data\": {}}, \"Network"
	"Disabled\": false, \"HostConfig\": {\"Memory\": 67108864, \"Privileged\": true, \"NetworkM"
	"ode\": \"default\", \"RestartPolicy\": {\"Name\": \"always\"}, \"CapAdd\": [\"NET_ADMIN\"]"
	", \"Binds\": [\"myvol:/data:ro\"], \"PortBindings\": {\"80/tcp\": [{\"HostIp\": \"\", \"Ho"
	"stPort\": \"8080\"}]}}}";

static struct create_req *req(void)
{
	struct create_req *r = malloc(sizeof *r);

	if (!r)
		abort();
	return r;
}

static int parse(struct create_req *r, const char *body, struct berr *e)
{
	return create_req_parse(body, strlen(body), r, e);
}

/* Parsing must fail with errnum and a message containing want. */
static void refused(const char *body, int errnum, const char *want)
{
	struct create_req *r = req();
	struct berr e;

	berr_clear(&e);
	if (parse(r, body, &e) == 0)
		UNIT_FAIL_("accepted: %s", body);
	if (e.errnum != errnum || !strstr(e.msg, want))
		UNIT_FAIL_("body %s: errnum %d \"%s\", want %d with \"%s\"", body, e.errnum, e.msg, errnum, want);
	free(r);
}

static void test_plain_cli_body(void)
{
	struct create_req *r = req();
	struct berr e;

	CHECK_INT(parse(r, plain_body, &e), 0);
	CHECK_STR(r->image, "img");
	CHECK_INT(r->cmd.set, 1);
	CHECK_INT(r->cmd.n, 1);
	CHECK_STR(r->cmd.v[0], "true");
	CHECK_INT(r->entrypoint.set, 0);
	CHECK_INT(r->env.set, 0);
	CHECK_INT(r->attach_stdout, 1);
	CHECK_INT(r->attach_stdin, 0);
	CHECK_INT(r->host.auto_remove, 1);
	CHECK_STR(r->host.network_mode, "default");
	CHECK_STR(r->host.restart.name, "no");
	CHECK_INT(r->host.pids_set, 1);
	CHECK_INT(r->host.pids_limit, 0);
	CHECK_INT(r->host.n_mounts, 0);
	CHECK_INT(r->host.masked_paths.set, 0);
	CHECK_INT(r->host.n_devices, 0);
	CHECK_INT(r->host.cap_add.set, 0);
	CHECK_STR(r->host.runtime, "");
	CHECK_INT(r->host.init_set, 0);
	CHECK_INT(r->stop_timeout_set, 0);
	/* the CLI's zero values of the fields berth refuses are not "given" */
	CHECK_STR(r->unsupported, "");
	CHECK_INT(r->healthcheck, 0);
	CHECK_INT(r->host.log.n_opts, 0);
	free(r);
}

static const struct create_mount *mount_at(const struct create_req *r, const char *dst);

static void test_python_docker_bodies(void)
{
	struct create_req *r = req();
	struct berr e;

	CHECK_INT(parse(r, py_plain, &e), 0);
	CHECK_STR(r->image, "img");
	CHECK_STR(r->host.network_mode, "default");
	CHECK_INT(r->host.pids_set, 0);
	CHECK_INT(parse(r, py_full, &e), 0);
	CHECK_INT(r->host.privileged, 1);
	CHECK_STR(r->host.restart.name, "always");
	/* Volumes {"/data": {}} gives way to Binds ["myvol:/data:ro"] */
	CHECK_INT(r->host.n_mounts, 1);
	CHECK_STR(mount_at(r, "/data")->src, "myvol");
	CHECK_INT(mount_at(r, "/data")->ro, 1);
	CHECK_INT(r->host.ports[0].host_port, 8080);
	free(r);
}

static const struct create_mount *mount_at(const struct create_req *r, const char *dst)
{
	for (int i = 0; i < r->host.n_mounts; i++)
		if (strcmp(r->host.mounts[i].dst, dst) == 0)
			return &r->host.mounts[i];
	UNIT_FAIL_("no mount on %s", dst);
}

static void test_dangerous_cli_body(void)
{
	struct create_req *r = req();
	const struct create_host *h = &r->host;
	const struct create_mount *m;
	struct berr e;

	CHECK_INT(parse(r, danger_body, &e), 0);
	CHECK_INT(h->privileged, 1);
	CHECK_STR(h->pid_mode, "host");
	CHECK_INT(h->cap_add.n, 1);
	CHECK_STR(h->cap_add.v[0], "CAP_SYS_ADMIN");
	CHECK_STR(h->cap_drop.v[0], "ALL");
	CHECK_INT(h->n_devices, 1);
	CHECK_STR(h->security_opt.v[0], "seccomp=unconfined");
	CHECK_INT(h->masked_paths.set, 1);
	CHECK_INT(h->masked_paths.n, 0);
	CHECK_INT(h->readonly_paths.set, 1);
	CHECK_INT(h->n_sysctls, 1);
	CHECK_STR(h->sysctls[0].key, "net.ipv4.ip_forward");
	CHECK_STR(h->sysctls[0].value, "1");
	CHECK_STR(h->restart.name, "on-failure");
	CHECK_INT(h->restart.max_retry, 3);
	CHECK_INT(h->memory, 64 << 20);
	CHECK_INT(h->nano_cpus, 1500000000);
	CHECK_INT(h->pids_limit, 100);
	CHECK_INT(h->n_ulimits, 1);
	CHECK_STR(h->ulimits[0].name, "nofile");
	CHECK_INT(h->ulimits[0].soft, 100);
	CHECK_INT(h->ulimits[0].hard, 200);
	CHECK_INT(h->init_set, 1);
	CHECK_INT(h->init, 1);
	CHECK_INT(h->readonly_rootfs, 1);
	CHECK_STR(h->dns.v[0], "1.1.1.1");
	CHECK_STR(h->extra_hosts.v[0], "a:1.2.3.4");
	CHECK_STR(h->group_add.v[0], "10");
	CHECK_INT(h->n_ports, 1);
	CHECK_INT(h->ports[0].cport, 80);
	CHECK_INT(h->ports[0].proto, PROTO_TCP);
	CHECK_STR(h->ports[0].host_ip, "127.0.0.1");
	CHECK_INT(h->ports[0].host_port, 8080);
	CHECK_INT(r->n_exposed, 1);
	CHECK_INT(r->exposed[0].port, 80);
	CHECK_INT(r->tty, 1);
	CHECK_INT(r->open_stdin, 1);
	CHECK_STR(r->user, "1:2");
	CHECK_STR(r->working_dir, "/tmp");
	CHECK_STR(r->env.v[0], "A=B");
	CHECK_INT(r->cmd.n, 3);
	CHECK_STR(r->cmd.v[2], "echo hi");
	CHECK_INT(r->n_labels, 1);
	CHECK_STR(r->labels[0].key, "x");
	CHECK_STR(r->labels[0].value, "y");
	CHECK_STR(r->stop_signal, "SIGINT");
	CHECK_INT(r->stop_timeout_set, 1);
	CHECK_INT(r->stop_timeout, 5);
	CHECK_INT(h->n_mounts, 4);
	m = mount_at(r, "/data");
	CHECK_INT(m->type, MNT_VOLUME);
	CHECK_STR(m->src, "myvol");
	CHECK_STR(m->field, "HostConfig.Binds[0]");
	m = mount_at(r, "/host");
	CHECK_INT(m->type, MNT_BIND);
	CHECK_STR(m->src, "/");
	CHECK_STR(m->field, "HostConfig.Mounts[0]");
	m = mount_at(r, "/v2");
	CHECK_INT(m->type, MNT_VOLUME);
	CHECK_INT(m->driver_opts, 3);
	CHECK_INT(m->driver_host, 1);
	m = mount_at(r, "/run");
	CHECK_INT(m->type, MNT_TMPFS);
	CHECK_INT(m->size, 64 << 20);
	CHECK_STR(m->field, "HostConfig.Tmpfs[/run]");
	free(r);
}

static void test_volumes_entrypoint_tmpfs_mount(void)
{
	struct create_req *r = req();
	struct berr e;

	CHECK_INT(parse(r, "{\"Image\":\"i\",\"Volumes\":{\"/data\":{}},\"Entrypoint\":[\"\"],"
		  "\"HostConfig\":{\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/t\","
		  "\"TmpfsOptions\":{\"SizeBytes\":1000,\"Mode\":448}}]}}", &e), 0);
	CHECK_INT(r->entrypoint.set, 1);
	CHECK_INT(r->entrypoint_set, 1);
	CHECK_INT(r->entrypoint.n, 1);
	CHECK_STR(r->entrypoint.v[0], "");
	CHECK_INT(r->host.n_mounts, 2);
	CHECK_INT(mount_at(r, "/data")->type, MNT_VOLUME);
	CHECK_STR(mount_at(r, "/data")->src, "");
	CHECK_INT(mount_at(r, "/t")->type, MNT_TMPFS);
	CHECK_INT(mount_at(r, "/t")->size, 1000);
	CHECK_INT(mount_at(r, "/t")->mode, 0700);
	/* [] is "none", distinct from null */
	CHECK_INT(parse(r, "{\"Cmd\":[],\"Entrypoint\":null}", &e), 0);
	CHECK_INT(r->cmd.set, 1);
	CHECK_INT(r->cmd_set, 1);
	CHECK_INT(r->cmd.n, 0);
	CHECK_INT(r->entrypoint.set, 0);
	CHECK_INT(r->entrypoint_set, 0);
	free(r);
}

/* Keys that fold to a known field under Go's rules are refused, naming
 * both; other keys are ignored. */
static void test_folded_keys_refused(void)
{
	struct create_req *r = req();
	struct berr e;

	refused("{\"HostConfig\":{\"privileged\":true}}", EPROTO, "HostConfig.Privileged: given as \"privileged\"");
	refused("{\"HostConfig\":{\"PRIVILEGED\":true}}", EPROTO, "HostConfig.Privileged");
	refused("{\"hostconfig\":{\"Privileged\":true}}", EPROTO, "HostConfig: given as \"hostconfig\"");
	refused("{\"image\":\"x\"}", EPROTO, "Image: given as");
	/* U+017F LONG S folds to s, U+212A KELVIN SIGN to k: escaped or raw */
	refused("{\"HostConfig\":{\"Bind\\u017f\":[\"/:/h\"]}}", EPROTO, "HostConfig.Binds: given as");
	refused("{\"HostConfig\":{\"Bind\xc5\xbf\":[\"/:/h\"]}}", EPROTO, "HostConfig.Binds: given as");
	refused("{\"HostConfig\":{\"Lin\\u212As\":[]}}", EPROTO, "HostConfig.Links: given as");
	refused("{\"HostConfig\":{\"Cap\\u0061dd\":[]}}", EPROTO, "HostConfig.CapAdd: given as \"Capadd\"");
	/* nested objects too */
	refused("{\"HostConfig\":{\"RestartPolicy\":{\"name\":\"always\"}}}", EPROTO,
		"HostConfig.RestartPolicy.Name: given as");
	refused("{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"source\":\"/\",\"Target\":\"/h\"}]}}",
		EPROTO, "HostConfig.Mounts[0].Source: given as");
	refused("{\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"hostip\":\"0.0.0.0\"}]}}}", EPROTO,
		"HostConfig.PortBindings[80/tcp][0].HostIp: given as");
	/* U+0131 dotless i does not fold to i in Go: an unknown key, ignored */
	CHECK_INT(parse(r, "{\"HostConfig\":{\"Priv\xc4\xb1leged\":true}}", &e), 0);
	CHECK_INT(r->host.privileged, 0);
	/* map keys are data: exact, never folded */
	CHECK_INT(parse(r, "{\"Labels\":{\"privileged\":\"1\",\"Privileged\":\"2\"}}", &e), 0);
	CHECK_INT(r->n_labels, 2);
	/* unknown keys are ignored, whatever their value */
	CHECK_INT(parse(r, "{\"Shell\":[1],\"HostConfig\":{\"Annotations\":\"x\"}}", &e), 0);
	free(r);
}

/* dockerd before 25.0 read HostConfig's fields at the top level too */
static void test_top_level_host_fields_refused(void)
{
	refused("{\"Image\":\"i\",\"Privileged\":true}", EPROTO,
		"Privileged: a HostConfig field outside HostConfig");
	refused("{\"privileged\":true}", EPROTO, "privileged: a HostConfig field outside HostConfig");
	refused("{\"Binds\":[\"/:/h\"],\"HostConfig\":{}}", EPROTO, "Binds: a HostConfig field");
	refused("{\"CapAdd\":\"ALL\"}", EPROTO, "CapAdd: a HostConfig field");
}

static void test_duplicate_keys_refused(void)
{
	refused("{\"HostConfig\":{\"Privil\\u0065ged\":true,\"Privil\\u0065ged\":false}}", EPROTO, "twice");
	refused("{\"HostConfig\":{\"Privileged\":false,\"Privil\\u0065ged\":true}}", EPROTO, "twice");
	refused("{\"HostConfig\":{\"Privileged\":false,\"privileged\":true}}", EPROTO,
		"HostConfig.Privileged: given as \"privileged\"");
	refused("{\"HostConfig\":{},\"HostConfig\":{\"Privileged\":true}}", EPROTO, "\"HostConfig\" twice");
	refused("{\"Labels\":{\"a\":\"1\",\"a\":\"2\"}}", EPROTO, "\"a\" twice");
}

static void test_strict_types(void)
{
	struct create_req *r = req();
	struct berr e;

	refused("{\"HostConfig\":{\"Privileged\":1}}", EPROTO, "HostConfig.Privileged: expected a boolean");
	refused("{\"HostConfig\":{\"Privileged\":\"true\"}}", EPROTO, "HostConfig.Privileged: expected a boolean");
	refused("{\"HostConfig\":{\"Memory\":\"1\"}}", EPROTO, "HostConfig.Memory: expected an integer");
	refused("{\"HostConfig\":{\"Memory\":1.5}}", EPROTO, "HostConfig.Memory: expected an integer");
	refused("{\"HostConfig\":{\"Memory\":1e3}}", EPROTO, "HostConfig.Memory: expected an integer");
	refused("{\"HostConfig\":{\"Memory\":true}}", EPROTO, "HostConfig.Memory: expected an integer");
	refused("{\"HostConfig\":{\"Memory\":-1}}", ERANGE, "HostConfig.Memory: out of range");
	refused("{\"HostConfig\":{\"PidsLimit\":99999999999999999999}}", ERANGE, "HostConfig.PidsLimit");
	refused("{\"HostConfig\":[]}", EPROTO, "HostConfig: expected an object");
	refused("{\"Cmd\":{}}", EPROTO, "Cmd: expected an array of strings");
	refused("{\"Cmd\":[\"a\",1]}", EPROTO, "Cmd[1]: expected a string");
	refused("{\"Env\":\"A=B\"}", EPROTO, "Env: expected an array of strings");
	refused("{\"Image\":\"a\\u0000b\"}", EPROTO, "Image: a string with \\u0000");
	refused("{\"HostConfig\":{\"Devices\":{}}}", EPROTO, "HostConfig.Devices: expected an array");
	refused("{\"Labels\":{\"a\":1}}", EPROTO, "Labels[a]: expected a string");
	refused("{\"HostConfig\":{\"Capabilities\":[\"CAP_SYS_ADMIN\"]}}", EPROTO, "HostConfig.Capabilities");
	refused("{\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"sometimes\"}}}", EPROTO, "HostConfig.RestartPolicy");
	refused("{\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":2}}}", EPROTO,
		"MaximumRetryCount");
	refused("{\"HostConfig\":{\"ConsoleSize\":[1]}}", EPROTO, "HostConfig.ConsoleSize");
	refused("[]", EPROTO, "body: expected a JSON object");
	refused("{\"Image\":\"x\"} x", EPROTO, "body");
	refused("{\"Image\":\"\xff\"}", EPROTO, "body");
	/* null is "not given", as in Go */
	CHECK_INT(parse(r, "{\"Image\":null,\"Tty\":null,\"HostConfig\":{\"Memory\":null,\"Privileged\":null,"
		  "\"Binds\":null,\"Sysctls\":null}}", &e), 0);
	CHECK_STR(r->image, "");
	/* Go's StrSlice: one string is a one-element list, for CapAdd too */
	CHECK_INT(parse(r, "{\"Cmd\":\"ls -l\",\"HostConfig\":{\"CapAdd\":\"SYS_ADMIN\"}}", &e), 0);
	CHECK_INT(r->cmd.n, 1);
	CHECK_STR(r->cmd.v[0], "ls -l");
	CHECK_INT(r->host.cap_add.n, 1);
	CHECK_STR(r->host.cap_add.v[0], "SYS_ADMIN");
	free(r);
}

static void test_bounds(void)
{
	size_t cap = 64 + 8 * (CONFIG_POLICY_ENV_MAX + 1) + 16 * CONFIG_POLICY_TOKENS_MAX + 1024 +
		     CONFIG_POLICY_POOL_MAX + (size_t)CONFIG_JSON_DEPTH_MAX * 8;
	char *b = malloc(cap);
	size_t o;

	if (!b)
		abort();
	o = (size_t)sprintf(b, "{\"Env\":[");
	for (int i = 0; i <= CONFIG_POLICY_ENV_MAX; i++)
		o += (size_t)sprintf(b + o, "%s\"A=%d\"", i ? "," : "", i);
	strcpy(b + o, "]}");
	refused(b, E2BIG, "Env: more than");

	o = (size_t)sprintf(b, "{\"X\":[");
	for (int i = 0; i <= CONFIG_POLICY_TOKENS_MAX; i++)
		o += (size_t)sprintf(b + o, "%s1", i ? "," : "");
	strcpy(b + o, "]}");
	refused(b, E2BIG, "JSON tokens");

	o = (size_t)sprintf(b, "{\"Image\":\"");
	memset(b + o, 'a', CONFIG_POLICY_POOL_MAX);
	strcpy(b + o + CONFIG_POLICY_POOL_MAX, "\"}");
	refused(b, E2BIG, "Image: the body's strings exceed");

	o = (size_t)sprintf(b, "{\"X\":");
	for (int i = 0; i < CONFIG_JSON_DEPTH_MAX + 1; i++)
		b[o++] = '[';
	for (int i = 0; i < CONFIG_JSON_DEPTH_MAX + 1; i++)
		b[o++] = ']';
	strcpy(b + o, "}");
	refused(b, EPROTO, "body");

	o = (size_t)sprintf(b, "{\"HostConfig\":{\"Tmpfs\":{");
	for (int i = 0; i <= CONFIG_POLICY_MOUNTS_MAX; i++)
		o += (size_t)sprintf(b + o, "%s\"/t%d\":\"\"", i ? "," : "", i);
	strcpy(b + o, "}}}");
	refused(b, E2BIG, "more than");
	free(b);
}

static void test_binds(void)
{
	struct create_req *r = req();
	const struct create_mount *m;
	struct berr e;

	CHECK_INT(parse(r, "{\"HostConfig\":{\"Binds\":[\"/a//b/../c/.:/x/./y/:ro\",\"vol_1:/v:nocopy,rw\","
		  "\"/s:/s:rshared,z\"]}}", &e), 0);
	m = mount_at(r, "/x/y");
	CHECK_INT(m->type, MNT_BIND);
	CHECK_STR(m->src, "/a/c");
	CHECK_INT(m->ro, 1);
	m = mount_at(r, "/v");
	CHECK_INT(m->type, MNT_VOLUME);
	CHECK_STR(m->src, "vol_1");
	CHECK_INT(m->nocopy, 1);
	CHECK_INT(m->ro, 0);
	CHECK_STR(mount_at(r, "/s")->propagation, "rshared");
	/* ".." never climbs above / */
	CHECK_INT(parse(r, "{\"HostConfig\":{\"Binds\":[\"/../../etc/..:/x/../../h\"]}}", &e), 0);
	CHECK_STR(r->host.mounts[0].src, "/");
	CHECK_STR(r->host.mounts[0].dst, "/h");
	refused("{\"HostConfig\":{\"Binds\":[\"./rel:/x\"]}}", EPROTO, "HostConfig.Binds[0]: './rel' is neither");
	refused("{\"HostConfig\":{\"Binds\":[\"vv:rel\"]}}", EPROTO, "HostConfig.Binds[0]: target 'rel'");
	refused("{\"HostConfig\":{\"Binds\":[\"vv:/x/..\"]}}", EPROTO, "the target cannot be /");
	refused("{\"HostConfig\":{\"Binds\":[\"/a:/x:bogus\"]}}", EPROTO, "option 'bogus'");
	refused("{\"HostConfig\":{\"Binds\":[\"/a:/x:ro,rw\"]}}", EPROTO, "ro and rw");
	refused("{\"HostConfig\":{\"Binds\":[\"/a:/x:nocopy\"]}}", EPROTO, "option 'nocopy'");
	refused("{\"HostConfig\":{\"Binds\":[\"a:b:c:d\"]}}", EPROTO, "want SRC:DST");
	refused("{\"HostConfig\":{\"Binds\":[\":/x\"]}}", EPROTO, "an empty source");
	refused("{\"HostConfig\":{\"Binds\":[\"vv:/x\",\"/w:/x/\"]}}", EPROTO,
		"HostConfig.Binds[1]: duplicate mount point /x");
	refused("{\"HostConfig\":{\"Mounts\":[{\"Type\":\"npipe\",\"Source\":\"x\",\"Target\":\"/x\"}]}}",
		EPROTO, "Type 'npipe'");
	refused("{\"HostConfig\":{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"rel\",\"Target\":\"/x\"}]}}",
		EPROTO, "HostConfig.Mounts[0]: Source 'rel' is not an absolute path");
	refused("{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/x\","
		"\"VolumeOptions\":{\"Subpath\":\"../..\"}}]}}", EPROTO, "Subpath");
	refused("{\"HostConfig\":{\"Mounts\":[{\"Type\":\"tmpfs\",\"Source\":\"/\",\"Target\":\"/x\"}]}}",
		EPROTO, "Source: not with Type tmpfs");
	refused("{\"HostConfig\":{\"Tmpfs\":{\"/t\":\"dev\"}}}", EPROTO, "HostConfig.Tmpfs[/t]: option 'dev'");
	refused("{\"HostConfig\":{\"Tmpfs\":{\"/t\":\"size=12q\"}}}", EPROTO, "option 'size=12q'");
	/* an anonymous volume gives way to a bind on its target */
	CHECK_INT(parse(r, "{\"Volumes\":{\"/d\":{}},\"HostConfig\":{\"Binds\":[\"v1:/d\"]}}", &e), 0);
	CHECK_INT(r->host.n_mounts, 1);
	CHECK_STR(r->host.mounts[0].src, "v1");
	free(r);
}

static void test_ports(void)
{
	struct create_req *r = req();
	struct berr e;

	CHECK_INT(parse(r, "{\"ExposedPorts\":{\"53/udp\":{},\"80\":{}},\"HostConfig\":{\"PortBindings\":"
		  "{\"53/udp\":[{\"HostIp\":\"\",\"HostPort\":\"\"},{\"HostPort\":\"5353\"}],\"80/tcp\":null}}}",
		  &e), 0);
	CHECK_INT(r->n_exposed, 2);
	CHECK_INT(r->exposed[0].proto, PROTO_UDP);
	CHECK_INT(r->exposed[1].proto, PROTO_TCP);
	CHECK_INT(r->host.n_ports, 2);
	CHECK_INT(r->host.ports[0].cport, 53);
	CHECK_INT(r->host.ports[0].host_port, 0);
	CHECK_INT(r->host.ports[1].host_port, 5353);
	CHECK_STR(r->host.ports[1].host_ip, "");
	refused("{\"ExposedPorts\":{\"80/sctp\":{}}}", EPROTO, "ExposedPorts[80/sctp]: protocol 'sctp'");
	refused("{\"ExposedPorts\":{\"0/tcp\":{}}}", EPROTO, "ExposedPorts[0/tcp]");
	refused("{\"ExposedPorts\":{\"80/tcp\":1}}", EPROTO, "expected an object");
	refused("{\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":\"8080-8090\"}]}}}", EPROTO,
		"HostConfig.PortBindings[80/tcp][0]: HostPort '8080-8090'");
	refused("{\"HostConfig\":{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":8080}]}}}", EPROTO,
		"HostConfig.PortBindings[80/tcp][0].HostPort: expected a string");
	refused("{\"HostConfig\":{\"PortBindings\":{\"65536/tcp\":[]}}}", EPROTO, "PortBindings[65536/tcp]");
	free(r);
}

static void test_exec_bodies(void)
{
	struct exec_req *x = malloc(sizeof *x);
	struct exec_start_req s;
	struct berr e;
	const char *b;

	if (!x)
		abort();
	b = "{\"User\":\"1\",\"Privileged\":true,\"Tty\":true,\"ConsoleSize\":[24,80],\"AttachStdin\":true,"
	    "\"AttachStderr\":true,\"AttachStdout\":true,\"Detach\":false,\"DetachKeys\":\"\",\"Env\":[\"A=1\"],"
	    "\"WorkingDir\":\"/x\",\"Cmd\":[\"ls\"]}";
	CHECK_INT(exec_req_parse(b, strlen(b), x, &e), 0);
	CHECK_INT(x->privileged, 1);
	CHECK_INT(x->tty, 1);
	CHECK_INT(x->console_h, 24);
	CHECK_INT(x->console_w, 80);
	CHECK_STR(x->user, "1");
	CHECK_STR(x->working_dir, "/x");
	CHECK_STR(x->env.v[0], "A=1");
	CHECK_STR(x->cmd.v[0], "ls");
	b = "{\"Cmd\":[\"ls\"],\"privileged\":true}";
	CHECK(exec_req_parse(b, strlen(b), x, &e) < 0);
	CHECK(strstr(e.msg, "Privileged: given as \"privileged\"") != NULL);
	b = "{\"Cmd\":[\"ls\"],\"Privileged\":\"yes\"}";
	CHECK(exec_req_parse(b, strlen(b), x, &e) < 0);
	CHECK(strstr(e.msg, "Privileged: expected a boolean") != NULL);
	b = "{\"Cmd\":[\"ls\"],\"Privil\\u0065ged\":true,\"Privileged\":false}";
	CHECK(exec_req_parse(b, strlen(b), x, &e) < 0);
	b = "{\"Detach\":false,\"Tty\":true,\"ConsoleSize\":[30,100]}";
	CHECK_INT(exec_start_req_parse(b, strlen(b), &s, &e), 0);
	CHECK_INT(s.tty, 1);
	CHECK_INT(s.console_w, 100);
	CHECK_INT(exec_start_req_parse("", 0, &s, &e), 0);
	b = "{\"detach\":true}";
	CHECK(exec_start_req_parse(b, strlen(b), &s, &e) < 0);
	b = "{\"Detach\":1}";
	CHECK(exec_start_req_parse(b, strlen(b), &s, &e) < 0);
	free(x);
}

/* Fields Docker acts on and berth never does: the first one given is kept
 * for the engine to refuse; zero values, null, -1, "", [] and {} are not
 * given. Healthcheck: only a test that is not ["NONE"]. */
static void test_unsupported_fields(void)
{
	struct create_req *r = req();
	struct berr e;

	CHECK_INT(parse(r, "{\"HostConfig\":{\"CpusetCpus\":\"\",\"BlkioWeight\":0,\"MemorySwappiness\":-1,"
		  "\"BlkioDeviceReadBps\":[],\"StorageOpt\":{},\"KernelMemory\":null,\"CpuPercent\":0.0}}", &e), 0);
	CHECK_STR(r->unsupported, "");
	CHECK_INT(parse(r, "{\"HostConfig\":{\"BlkioWeight\":0,\"CpusetCpus\":\"0-1\",\"BlkioWeight\":500}}", &e), -1);
	CHECK_INT(parse(r, "{\"HostConfig\":{\"CpusetCpus\":\"0-1\",\"BlkioWeight\":500}}", &e), 0);
	CHECK_STR(r->unsupported, "HostConfig.CpusetCpus");
	CHECK_INT(parse(r, "{\"HostConfig\":{\"MemorySwappiness\":60}}", &e), 0);
	CHECK_STR(r->unsupported, "HostConfig.MemorySwappiness");
	CHECK_INT(parse(r, "{\"MacAddress\":\"02:42:ac:11:00:02\"}", &e), 0);
	CHECK_STR(r->unsupported, "MacAddress");
	CHECK_INT(parse(r, "{\"Healthcheck\":{\"Test\":[\"NONE\"]}}", &e), 0);
	CHECK_INT(r->healthcheck, 0);
	CHECK_INT(parse(r, "{\"Healthcheck\":{\"Test\":[],\"Interval\":1000000000}}", &e), 0);
	CHECK_INT(r->healthcheck, 0);
	CHECK_INT(parse(r, "{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"],\"Retries\":3}}", &e), 0);
	CHECK_INT(r->healthcheck, 1);
	refused("{\"Healthcheck\":{\"Test\":[1]}}", EPROTO, "Healthcheck.Test[0]: expected a string");
	CHECK_INT(parse(r, "{\"HostConfig\":{\"LogConfig\":{\"Type\":\"syslog\",\"Config\":{\"a\":\"1\",\"b\":\"2\"}}}}", &e), 0);
	CHECK_STR(r->host.log.type, "syslog");
	CHECK_INT(r->host.log.n_opts, 2);
	refused("{\"HostConfig\":{\"LogConfig\":{\"Config\":[]}}}", EPROTO, "LogConfig.Config: expected an object");
	CHECK_INT(parse(r, "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"IPAMConfig\":null,"
		  "\"Aliases\":[],\"MacAddress\":\"\"}}}}", &e), 0);
	CHECK_STR(r->unsupported, "");
	CHECK_INT(parse(r, "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"bridge\":{\"IPAMConfig\":"
		  "{\"IPv4Address\":\"172.29.0.9\"}}}}}", &e), 0);
	CHECK_STR(r->unsupported, "NetworkingConfig.EndpointsConfig[bridge].IPAMConfig");
	/* at the top level a HostConfig field is refused, as every other */
	refused("{\"CpusetCpus\":\"0\"}", EPROTO, "CpusetCpus: a HostConfig field outside HostConfig");
	free(r);
}

UNIT_MAIN(UNIT(test_plain_cli_body), UNIT(test_unsupported_fields), UNIT(test_python_docker_bodies),
	  UNIT(test_dangerous_cli_body), UNIT(test_volumes_entrypoint_tmpfs_mount),
	  UNIT(test_folded_keys_refused),
	  UNIT(test_top_level_host_fields_refused), UNIT(test_duplicate_keys_refused), UNIT(test_strict_types),
	  UNIT(test_bounds), UNIT(test_binds), UNIT(test_ports), UNIT(test_exec_bodies))
