/* test_policy.c — policy_check_create, policy_conf, policy_bind_allowed,
 * policy_check_volume_opt and policy_check_exec: every refusal of SECURITY.md
 * "What the API refuses by default" in each spelling, the CLI's own bodies
 * allowed by default, and each allowance through policy_conf. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/policy/create.h"
#include "runtime/policy/exec.h"
#include "runtime/policy/policy.h"
#include "runtime/policy/update.h"
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

/* the same CLI with every dangerous option of DOCKER_API.md §6 (see test_policy_create.c) */
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

/* `docker update --memory 64m c` */
static const char update_body[] =
	"{\"CpuShares\":0,\"Memory\":67108864,\"NanoCpus\":0,\"CgroupParent\":\"\",\"BlkioWeight\":"
	"0,\"BlkioWeightDevice\":null,\"BlkioDeviceReadBps\":null,\"BlkioDeviceWriteBps\":null,\"Bl"
	"kioDeviceReadIOps\":null,\"BlkioDeviceWriteIOps\":null,\"CpuPeriod\":0,\"CpuQuota\":0,\"Cp"
	"uRealtimePeriod\":0,\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\",\"Dev"
	"ices\":null,\"DeviceCgroupRules\":null,\"DeviceRequests\":null,\"MemoryReservation\":0,\"M"
	"emorySwap\":0,\"MemorySwappiness\":null,\"OomKillDisable\":null,\"PidsLimit\":null,\"Ulimi"
	"ts\":null,\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0,\"IOMaximumBandwidth\":0,\"R"
	"estartPolicy\":{\"Name\":\"\",\"MaximumRetryCount\":0}}";

/* Check body (HostConfig members in hc, top-level members in top) against
 * p: rc 0, or -1 with errnum and a message containing want and want2. */
static void check(const struct policy *p, const char *top, const char *hc, int errnum,
		  const char *want, const char *want2)
{
	struct create_req *r = malloc(sizeof *r);
	char body[4096];
	struct berr e;
	int rc;

	if (!r)
		abort();
	snprintf(body, sizeof body, "{\"Image\":\"i\"%s%s,\"HostConfig\":{%s}}", top[0] ? "," : "", top, hc);
	if (create_req_parse(body, strlen(body), r, &e) < 0)
		UNIT_FAIL_("parse %s: %s", body, e.msg);
	berr_clear(&e);
	rc = policy_check_create(p, r, &e);
	if (!errnum && rc != 0)
		UNIT_FAIL_("refused %s: %s", body, e.msg);
	if (errnum && (rc == 0 || e.errnum != errnum || !strstr(e.msg, want) || (want2 && !strstr(e.msg, want2))))
		UNIT_FAIL_("%s: rc %d errnum %d \"%s\", want %d \"%s\" \"%s\"", body, rc, e.errnum, e.msg,
			   errnum, want, want2 ? want2 : "");
	free(r);
}

#define ALLOWED(p, top, hc) check(p, top, hc, 0, NULL, NULL)
#define REFUSED(p, top, hc, want, key) check(p, top, hc, EPERM, want, key)
#define INVALID(p, top, hc, want) check(p, top, hc, EINVAL, want, NULL)

static void conf(struct policy *p, const char *key, const char *value)
{
	struct berr e;

	if (policy_conf(p, key, value, &e) < 0)
		UNIT_FAIL_("policy_conf %s = %s: %s", key, value, e.msg);
}

static void test_cli_bodies(void)
{
	struct create_req *r = malloc(sizeof *r);
	struct policy p;
	struct berr e;

	if (!r)
		abort();
	policy_init(&p);
	CHECK_INT(create_req_parse(plain_body, strlen(plain_body), r, &e), 0);
	CHECK_INT(policy_check_create(&p, r, &e), 0);
	CHECK_INT(create_req_parse(danger_body, strlen(danger_body), r, &e), 0);
	CHECK(policy_check_create(&p, r, &e) < 0);
	CHECK_INT(e.errnum, EPERM);
	CHECK_STR(e.msg, "HostConfig.Privileged: privileged containers are not allowed on this appliance "
		  "(berth.conf [policy] allow_privileged = yes allows them)");
	free(r);
}

static void test_everyday_bodies_allowed(void)
{
	struct policy p;

	policy_init(&p);
	ALLOWED(&p, "\"Volumes\":{\"/data\":{}}", "\"Binds\":[\"myvol:/data2:ro\"],\"Tmpfs\":{\"/run\":\"size=1m\"},"
		"\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v2\",\"Target\":\"/v\"}]");
	ALLOWED(&p, "", "\"CapAdd\":[\"CHOWN\",\"cap_kill\"],\"CapDrop\":[\"ALL\"]");
	ALLOWED(&p, "", "\"SecurityOpt\":[\"no-new-privileges\",\"no-new-privileges=true\","
		"\"no-new-privileges:TRUE\",\"seccomp=builtin\"]");
	ALLOWED(&p, "", "\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\",\"kernel.shmmax\":\"1\","
		"\"fs.mqueue.msg_max\":\"10\"}");
	ALLOWED(&p, "", "\"PidsLimit\":0,\"Runtime\":\"runc\",\"NetworkMode\":\"none\",\"PidMode\":\"\","
		"\"IpcMode\":\"private\",\"CgroupnsMode\":\"private\",\"MaskedPaths\":null");
	ALLOWED(&p, "", "\"PidsLimit\":100,\"Runtime\":\"berth\",\"OomKillDisable\":false,\"Devices\":[]");
	ALLOWED(&p, "", "\"Binds\":[\"v1:/procfs\",\"v2:/device\",\"v3:/system\"]");
}

static void test_privileged(void)
{
	struct policy p;

	policy_init(&p);
	REFUSED(&p, "", "\"Privileged\":true", "HostConfig.Privileged", "allow_privileged = yes");
	conf(&p, "allow_privileged", "yes");
	ALLOWED(&p, "", "\"Privileged\":true");
}

static void test_binds(void)
{
	static const char *const spellings[] = {
		"\"Binds\":[\"/:/host\"]", "\"Binds\":[\"//:/host\"]", "\"Binds\":[\"/etc/..:/host:ro\"]",
		"\"Binds\":[\"/./:/host\"]", "\"Binds\":[\"/etc:/e\"]", "\"Binds\":[\"/srv/../etc:/e\"]",
		"\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/host\"}]",
		"\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/x/../../var\",\"Target\":\"/host\"}]",
		"\"Binds\":[\"/srvx:/h\"]", "\"Binds\":[\"/sr:/h\"]",
	};
	struct policy p;
	struct berr e;

	policy_init(&p);
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++)
		REFUSED(&p, "", spellings[i], "is not allowed on this appliance", "bind_allow");
	REFUSED(&p, "", "\"Binds\":[\"//:/host\"]", "HostConfig.Binds[0]: host path / is not allowed", NULL);
	conf(&p, "bind_allow", "/srv  /data//x/");
	ALLOWED(&p, "", "\"Binds\":[\"/srv:/a\",\"/srv/a/b:/b\",\"/data/x:/c\",\"/data/x/y/:/d:ro\"]");
	ALLOWED(&p, "", "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/srv/q\",\"Target\":\"/q\"}]");
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++)
		REFUSED(&p, "", spellings[i], "is not allowed on this appliance", "bind_allow");
	REFUSED(&p, "", "\"Binds\":[\"/data:/a\"]", "host path /data ", NULL);
	/* after symlinks are resolved at mount time */
	CHECK_INT(policy_bind_allowed(&p, "/srv/real", &e), 0);
	CHECK_INT(policy_bind_allowed(&p, "/srv", &e), 0);
	CHECK(policy_bind_allowed(&p, "/etc/shadow", &e) < 0);
	CHECK_INT(e.errnum, EPERM);
	CHECK(strstr(e.msg, "bind_allow") != NULL);
	CHECK(policy_bind_allowed(&p, "/srv/../etc", &e) < 0);
	CHECK(policy_bind_allowed(&p, "/srvfoo", &e) < 0);
	/* "/" itself only when listed */
	conf(&p, "bind_allow", "/");
	ALLOWED(&p, "", "\"Binds\":[\"/:/host\",\"/etc:/e\"]");
}

static void test_volume_driver_options(void)
{
	struct policy p;
	struct berr e;

	policy_init(&p);
	REFUSED(&p, "", "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"vol\",\"Target\":\"/v\",\"VolumeOptions\":"
		"{\"DriverConfig\":{\"Options\":{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}}}]",
		"HostConfig.Mounts[0]: volume options that mount a host path", "bind_allow");
	REFUSED(&p, "", "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"vol\",\"Target\":\"/v\",\"VolumeOptions\":"
		"{\"DriverConfig\":{\"Options\":{\"Device\":\"/dev/sda1\",\"Type\":\"ext4\"}}}}]",
		"volume options", NULL);
	REFUSED(&p, "", "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"vol\",\"Target\":\"/v\",\"VolumeOptions\":"
		"{\"DriverConfig\":{\"Options\":{\"o\":\"ro,rbind\"}}}}]", "volume options", NULL);
	ALLOWED(&p, "", "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"vol\",\"Target\":\"/v\",\"VolumeOptions\":"
		"{\"DriverConfig\":{\"Options\":{\"type\":\"tmpfs\",\"o\":\"size=1m\"}}}}]");
	INVALID(&p, "", "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"vol\",\"Target\":\"/v\",\"VolumeOptions\":"
		"{\"DriverConfig\":{\"Name\":\"sshfs\"}}}]", "volume driver 'sshfs'");
	INVALID(&p, "", "\"VolumeDriver\":\"nfs\"", "HostConfig.VolumeDriver");
	/* POST /volumes/create options */
	CHECK(policy_check_volume_opt(&p, "DriverOpts", "device", "/etc", &e) < 0);
	CHECK_INT(e.errnum, EPERM);
	CHECK(strstr(e.msg, "DriverOpts: volume options") != NULL);
	CHECK(policy_check_volume_opt(&p, "DriverOpts", "o", "bind", &e) < 0);
	CHECK(policy_check_volume_opt(&p, "DriverOpts", "type", "none", &e) < 0);
	CHECK_INT(policy_check_volume_opt(&p, "DriverOpts", "type", "tmpfs", &e), 0);
	CHECK_INT(policy_check_volume_opt(&p, "DriverOpts", "o", "size=10m,uid=1000", &e), 0);
}

static void test_system_targets(void)
{
	static const char *const targets[] = {
		"\"Binds\":[\"vv:/proc\"]", "\"Binds\":[\"vv:/proc/sys\"]", "\"Binds\":[\"vv:/x/../proc/\"]",
		"\"Binds\":[\"vv://sys\"]", "\"Binds\":[\"vv:/dev/shm\"]", "\"Tmpfs\":{\"/dev\":\"\"}",
		"\"Tmpfs\":{\"/sys/fs/cgroup\":\"\"}",
		"\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/proc/./1\"}]",
		"\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"vv\",\"Target\":\"/dev/\"}]",
	};
	struct policy p;

	policy_init(&p);
	conf(&p, "bind_allow", "/");
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
		REFUSED(&p, "", targets[i], "are never allowed on this appliance", "mounts onto /");
	REFUSED(&p, "\"Volumes\":{\"/proc\":{}}", "", "Volumes[/proc]: mounts onto /proc", NULL);
	REFUSED(&p, "", "\"Binds\":[\"/tmp:/sys\"]", "HostConfig.Binds[0]: mounts onto /sys", NULL);
}

static void test_cap_add(void)
{
	static const char *const spellings[] = {
		"\"CapAdd\":[\"SYS_ADMIN\"]", "\"CapAdd\":[\"CAP_SYS_ADMIN\"]", "\"CapAdd\":[\"cap_sys_admin\"]",
		"\"CapAdd\":[\"sys_admin\"]", "\"CapAdd\":[\"Cap_Sys_Admin\"]", "\"CapAdd\":\"SYS_ADMIN\"",
		"\"CapAdd\":[\"CHOWN\",\"SYS_ADMIN\"]",
	};
	struct policy p;

	policy_init(&p);
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++)
		REFUSED(&p, "", spellings[i], "added capabilities", "cap_add_allow lists those allowed");
	REFUSED(&p, "", "\"CapAdd\":[\"ALL\"]", "HostConfig.CapAdd[0]: all capabilities", "cap_add_allow");
	REFUSED(&p, "", "\"CapAdd\":[\"all\"]", "all capabilities", "cap_add_allow");
	REFUSED(&p, "", "\"CapAdd\":[\"NET_ADMIN\"]", "HostConfig.CapAdd[0]: added capabilities (NET_ADMIN)", NULL);
	INVALID(&p, "", "\"CapAdd\":[\"SYS_BOGUS\"]", "HostConfig.CapAdd[0]: capability");
	INVALID(&p, "", "\"CapDrop\":[\"SYS_BOGUS\"]", "HostConfig.CapDrop[0]: capability");
	conf(&p, "cap_add_allow", "sys_admin, CAP_NET_ADMIN");
	for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++)
		ALLOWED(&p, "", spellings[i]);
	ALLOWED(&p, "", "\"CapAdd\":[\"NET_ADMIN\"]");
	REFUSED(&p, "", "\"CapAdd\":[\"SYS_PTRACE\"]", "added capabilities", "cap_add_allow");
	REFUSED(&p, "", "\"CapAdd\":[\"ALL\"]", "all capabilities", "cap_add_allow");
	conf(&p, "cap_add_allow", "all");
	ALLOWED(&p, "", "\"CapAdd\":[\"ALL\"]");
}

static void test_devices(void)
{
	struct policy p;

	policy_init(&p);
	REFUSED(&p, "", "\"Devices\":[{\"PathOnHost\":\"/dev/sda\",\"PathInContainer\":\"/dev/sda\","
		"\"CgroupPermissions\":\"rwm\"}]", "HostConfig.Devices: host devices", "allow_devices = yes");
	REFUSED(&p, "", "\"DeviceCgroupRules\":[\"b 8:* rwm\"]", "HostConfig.DeviceCgroupRules", "allow_devices");
	REFUSED(&p, "", "\"DeviceRequests\":[{\"Driver\":\"\",\"Count\":-1,\"Capabilities\":[[\"gpu\"]]}]",
		"HostConfig.DeviceRequests", "allow_devices");
	conf(&p, "allow_devices", "true");
	ALLOWED(&p, "", "\"Devices\":[{}],\"DeviceCgroupRules\":[\"a\"],\"DeviceRequests\":[{}]");
}

static void test_host_namespaces(void)
{
	static const struct {
		const char *field, *key;
	} m[] = {
		{ "NetworkMode", "allow_host_network" }, { "PidMode", "allow_host_pid" },
		{ "IpcMode", "allow_host_ipc" },         { "UTSMode", "allow_host_uts" },
		{ "UsernsMode", "allow_host_userns" },   { "CgroupnsMode", "allow_host_cgroupns" },
	};
	struct policy p;
	char hc[64], field[64];

	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		policy_init(&p);
		snprintf(hc, sizeof hc, "\"%s\":\"host\"", m[i].field);
		snprintf(field, sizeof field, "HostConfig.%s: the host's namespaces", m[i].field);
		REFUSED(&p, "", hc, field, m[i].key);
		conf(&p, m[i].key, "on");
		ALLOWED(&p, "", hc);
	}
}

static void test_security_opt(void)
{
	static const char *const weak[] = {
		"seccomp=unconfined", "seccomp:unconfined", "seccomp={\\\"defaultAction\\\":\\\"SCMP_ACT_ALLOW\\\"}",
		"apparmor=unconfined", "apparmor:unconfined", "no-new-privileges=false", "no-new-privileges:false",
		"no-new-privileges=False", "no-new-privileges=0", "no-new-privileges=f", "systempaths=unconfined",
		"systempaths:unconfined", "writable-cgroups=true",
	};
	struct policy p;
	char hc[256];

	policy_init(&p);
	for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
		snprintf(hc, sizeof hc, "\"SecurityOpt\":[\"no-new-privileges\",\"%s\"]", weak[i]);
		REFUSED(&p, "", hc, "HostConfig.SecurityOpt[1]", "allow_unconfined = yes");
	}
	INVALID(&p, "", "\"SecurityOpt\":[\"label=disable\"]", "HostConfig.SecurityOpt[0]");
	INVALID(&p, "", "\"SecurityOpt\":[\"SECCOMP=unconfined\"]", "unknown");
	INVALID(&p, "", "\"SecurityOpt\":[\"no-new-privileges=maybe\"]", "want true or false");
	INVALID(&p, "", "\"SecurityOpt\":[\"seccomp\"]", "want KEY=VALUE");
	REFUSED(&p, "", "\"MaskedPaths\":[]", "HostConfig.MaskedPaths: overrides", "allow_unconfined");
	REFUSED(&p, "", "\"ReadonlyPaths\":[\"/proc/x\"]", "HostConfig.ReadonlyPaths", "allow_unconfined");
	conf(&p, "allow_unconfined", "1");
	for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
		snprintf(hc, sizeof hc, "\"SecurityOpt\":[\"%s\"]", weak[i]);
		ALLOWED(&p, "", hc);
	}
	ALLOWED(&p, "", "\"MaskedPaths\":[],\"ReadonlyPaths\":[]");
}

static void test_sysctls(void)
{
	struct policy p;

	policy_init(&p);
	REFUSED(&p, "", "\"Sysctls\":{\"kernel.panic\":\"1\"}", "HostConfig.Sysctls[kernel.panic]", "sysctl_allow");
	REFUSED(&p, "", "\"Sysctls\":{\"kernel.shm_next_id\":\"1\"}", "outside the container's namespaces", NULL);
	REFUSED(&p, "", "\"Sysctls\":{\"vm.overcommit_memory\":\"1\"}", "sysctl_allow", NULL);
	INVALID(&p, "", "\"Sysctls\":{\"net/ipv4/ip_forward\":\"1\"}", "not a sysctl name");
	INVALID(&p, "", "\"Sysctls\":{\"net..x\":\"1\"}", "not a sysctl name");
	conf(&p, "allow_host_network", "yes");
	conf(&p, "allow_host_ipc", "yes");
	REFUSED(&p, "", "\"NetworkMode\":\"host\",\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"}",
		"with NetworkMode host", NULL);
	REFUSED(&p, "", "\"IpcMode\":\"host\",\"Sysctls\":{\"kernel.shmmax\":\"1\"}", "with IpcMode host", NULL);
	REFUSED(&p, "", "\"NetworkMode\":\"container:abc\",\"Sysctls\":{\"net.core.somaxconn\":\"1\"}",
		"with NetworkMode container:abc", NULL);
	REFUSED(&p, "", "\"IpcMode\":\"container:abc\",\"Sysctls\":{\"kernel.sem\":\"1\"}",
		"with IpcMode container:abc", NULL);
	ALLOWED(&p, "", "\"NetworkMode\":\"none\",\"IpcMode\":\"shareable\",\"Sysctls\":{\"net.core.somaxconn\":"
		"\"1\",\"kernel.sem\":\"1\"}");
	conf(&p, "sysctl_allow", "kernel.panic vm.*");
	ALLOWED(&p, "", "\"Sysctls\":{\"kernel.panic\":\"1\",\"vm.swappiness\":\"1\"}");
	REFUSED(&p, "", "\"Sysctls\":{\"kernel.panic_on_oops\":\"1\"}", "sysctl_allow", NULL);
}

static void test_other_refusals(void)
{
	struct policy p;

	policy_init(&p);
	REFUSED(&p, "", "\"CgroupParent\":\"/\"", "HostConfig.CgroupParent", "allow_cgroup_parent = yes");
	REFUSED(&p, "", "\"OomKillDisable\":true", "HostConfig.OomKillDisable", "allow_oom_kill_disable = yes");
	REFUSED(&p, "", "\"OomScoreAdj\":-500", "HostConfig.OomScoreAdj", "allow_oom_kill_disable = yes");
	ALLOWED(&p, "", "\"OomScoreAdj\":500");
	REFUSED(&p, "", "\"PidsLimit\":-1", "HostConfig.PidsLimit", "allow_unlimited_pids = yes");
	REFUSED(&p, "", "\"PidsLimit\":-100", "HostConfig.PidsLimit", NULL);
	REFUSED(&p, "", "\"Runtime\":\"runsc\"", "HostConfig.Runtime: runtimes other than berth's", "never");
	REFUSED(&p, "", "\"Runtime\":\"io.containerd.runc.v2\"", "HostConfig.Runtime", NULL);
	conf(&p, "allow_cgroup_parent", "yes");
	conf(&p, "allow_oom_kill_disable", "yes");
	conf(&p, "allow_unlimited_pids", "yes");
	ALLOWED(&p, "", "\"CgroupParent\":\"x\",\"OomKillDisable\":true,\"PidsLimit\":-1,\"OomScoreAdj\":-1000");
}

static void test_conf_errors(void)
{
	struct policy p;
	struct berr e;
	char many[2048];
	size_t o = 0;

	policy_init(&p);
	CHECK(policy_conf(&p, "allow_everything", "yes", &e) < 0);
	CHECK(strstr(e.msg, "allow_everything") != NULL);
	CHECK(policy_conf(&p, "allow_privileged", "perhaps", &e) < 0);
	CHECK(policy_conf(&p, "bind_allow", "srv", &e) < 0);
	CHECK(policy_conf(&p, "cap_add_allow", "SYS_BOGUS", &e) < 0);
	CHECK(policy_conf(&p, "sysctl_allow", "Kernel/x", &e) < 0);
	for (int i = 0; i <= CONFIG_POLICY_BIND_ALLOW_MAX; i++)
		o += (size_t)snprintf(many + o, sizeof many - o, "/p%d ", i);
	CHECK(policy_conf(&p, "bind_allow", many, &e) < 0);
	CHECK_INT(policy_conf(&p, "allow_privileged", "no", &e), 0);
}

static void test_exec(void)
{
	struct exec_req *x = malloc(sizeof *x);
	struct policy p;
	struct berr e;
	const char *b = "{\"Cmd\":[\"sh\"],\"Privileged\":true}";

	if (!x)
		abort();
	policy_init(&p);
	CHECK_INT(exec_req_parse(b, strlen(b), x, &e), 0);
	CHECK(policy_check_exec(&p, x, &e) < 0);
	CHECK_INT(e.errnum, EPERM);
	CHECK(strstr(e.msg, "allow_privileged = yes") != NULL);
	conf(&p, "allow_privileged", "yes");
	CHECK_INT(policy_check_exec(&p, x, &e), 0);
	b = "{\"Cmd\":[\"sh\"],\"Privileged\":false}";
	policy_init(&p);
	CHECK_INT(exec_req_parse(b, strlen(b), x, &e), 0);
	CHECK_INT(policy_check_exec(&p, x, &e), 0);
	free(x);
}

static void update_check(const struct policy *p, const char *body, int rc, const char *want)
{
	struct update_req *u = malloc(sizeof *u);
	struct berr e;

	if (!u)
		abort();
	if (update_req_parse(body, strlen(body), u, &e) < 0)
		UNIT_FAIL_("parse %s: %s", body, e.msg);
	berr_clear(&e);
	if (policy_check_update(p, u, &e) != rc || (want && (e.errnum != EPERM || !strstr(e.msg, want))))
		UNIT_FAIL_("%s: \"%s\", want %d \"%s\"", body, e.msg, rc, want ? want : "");
	free(u);
}

static void test_update(void)
{
	struct update_req *u = malloc(sizeof *u);
	struct policy p;
	struct berr e;
	const char *b;

	if (!u)
		abort();
	policy_init(&p);
	CHECK_INT(update_req_parse(update_body, strlen(update_body), u, &e), 0);
	CHECK_INT(u->memory, 64 << 20);
	CHECK_INT(u->pids_set, 0);
	CHECK_INT(u->oom_set, 0);
	CHECK_STR(u->restart.name, "");
	CHECK_INT(policy_check_update(&p, u, &e), 0);
	b = "{\"pidslimit\":5}";
	CHECK(update_req_parse(b, strlen(b), u, &e) < 0);
	CHECK(strstr(e.msg, "PidsLimit: given as \"pidslimit\"") != NULL);
	b = "{\"Memory\":\"1\"}";
	CHECK(update_req_parse(b, strlen(b), u, &e) < 0);
	CHECK(strstr(e.msg, "Memory: expected an integer") != NULL);
	b = "{\"RestartPolicy\":{\"Name\":\"x\"}}";
	CHECK(update_req_parse(b, strlen(b), u, &e) < 0);
	CHECK(strstr(e.msg, "RestartPolicy.Name 'x'") != NULL);
	free(u);
	update_check(&p, "{\"PidsLimit\":100,\"RestartPolicy\":{\"Name\":\"always\"}}", 0, NULL);
	update_check(&p, "{\"PidsLimit\":0}", -1, "PidsLimit: containers without a process limit");
	update_check(&p, "{\"PidsLimit\":-1}", -1, "allow_unlimited_pids = yes");
	update_check(&p, "{\"OomKillDisable\":true}", -1, "allow_oom_kill_disable = yes");
	update_check(&p, "{\"OomKillDisable\":false}", 0, NULL);
	update_check(&p, "{\"Devices\":[{}]}", -1, "Devices: host devices");
	update_check(&p, "{\"DeviceCgroupRules\":[\"a\"]}", -1, "allow_devices = yes");
	update_check(&p, "{\"CgroupParent\":\"/x\"}", -1, "allow_cgroup_parent = yes");
	conf(&p, "allow_unlimited_pids", "yes");
	conf(&p, "allow_oom_kill_disable", "yes");
	conf(&p, "allow_devices", "yes");
	conf(&p, "allow_cgroup_parent", "yes");
	update_check(&p, "{\"PidsLimit\":0,\"OomKillDisable\":true,\"Devices\":[{}],\"CgroupParent\":\"x\"}",
		     0, NULL);
}

UNIT_MAIN(UNIT(test_cli_bodies), UNIT(test_everyday_bodies_allowed), UNIT(test_privileged), UNIT(test_binds),
	  UNIT(test_volume_driver_options), UNIT(test_system_targets), UNIT(test_cap_add), UNIT(test_devices),
	  UNIT(test_host_namespaces), UNIT(test_security_opt), UNIT(test_sysctls), UNIT(test_other_refusals),
	  UNIT(test_conf_errors), UNIT(test_exec), UNIT(test_update))
