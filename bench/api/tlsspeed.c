/* tlsspeed.c — which BearSSL 0.6 implementations are fastest on this CPU,
 * and what lib/tls's handshakes cost (docs/tls.md has a run's numbers).
 *
 * usage: tlsspeed PKI_DIR   (tools/pki.sh's layout, e.g. build/pki)
 * Each primitive runs for about 0.3 s of CPU; the handshakes run a server
 * thread and a client thread over a socketpair, and the figure is
 * handshakes per second of the process's CPU (both sides).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/tls.h"

#define SLICE 0.3

static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned char buf[16384];

static void ctr(const char *name, const br_block_ctr_class *v)
{
	br_aes_gen_ctr_keys ctx;
	unsigned char key[16] = { 1 }, iv[12] = { 2 };
	double t0 = cpu(), t;
	long n = 0;

	if (!v) {
		printf("  %-22s unavailable on this CPU\n", name);
		return;
	}
	v->init(&ctx.vtable, key, sizeof key);
	do {
		v->run(&ctx.vtable, iv, 1, buf, sizeof buf);
		n++;
	} while ((t = cpu() - t0) < SLICE);
	printf("  %-22s %8.0f MB/s\n", name, (double)n * sizeof buf / t / 1e6);
}

static void ghash(const char *name, br_ghash g)
{
	unsigned char y[16] = { 0 }, h[16] = { 3 };
	double t0 = cpu(), t;
	long n = 0;

	if (!g) {
		printf("  %-22s unavailable on this CPU\n", name);
		return;
	}
	do {
		g(y, h, buf, sizeof buf);
		n++;
	} while ((t = cpu() - t0) < SLICE);
	printf("  %-22s %8.0f MB/s\n", name, (double)n * sizeof buf / t / 1e6);
}

static void chacha(const char *name, br_chacha20_run r)
{
	unsigned char key[32] = { 4 }, iv[12] = { 5 };
	double t0 = cpu(), t;
	long n = 0;

	if (!r) {
		printf("  %-22s unavailable on this CPU\n", name);
		return;
	}
	do {
		r(key, iv, 1, buf, sizeof buf);
		n++;
	} while ((t = cpu() - t0) < SLICE);
	printf("  %-22s %8.0f MB/s\n", name, (double)n * sizeof buf / t / 1e6);
}

static void poly(const char *name, br_poly1305_run r)
{
	unsigned char key[32] = { 6 }, iv[12] = { 7 }, aad[13] = { 0 }, tag[16];
	double t0 = cpu(), t;
	long n = 0;

	if (!r) {
		printf("  %-22s unavailable on this CPU\n", name);
		return;
	}
	do {
		/* ChaCha20 + Poly1305 together, as a record uses them */
		r(key, iv, buf, sizeof buf, aad, sizeof aad, tag, &br_chacha20_ct_run, 1);
		n++;
	} while ((t = cpu() - t0) < SLICE);
	printf("  %-22s %8.0f MB/s (with chacha20_ct)\n", name, (double)n * sizeof buf / t / 1e6);
}

static void ecmul(const char *name, const br_ec_impl *impl, int curve)
{
	unsigned char g[160], k[32] = { 0x11, 0x22, 0x33 };
	size_t glen;
	const unsigned char *gen = impl->generator(curve, &glen);
	double t0 = cpu(), t;
	long n = 0;

	memcpy(g, gen, glen);
	do {
		memcpy(g, gen, glen);
		impl->mul(g, glen, k, sizeof k, curve);
		n++;
	} while ((t = cpu() - t0) < SLICE);
	printf("  %-22s %8.0f mul/s\n", name, (double)n / t);
}

static void ecdsa(const char *name, const br_ec_impl *impl, br_ecdsa_sign sign, br_ecdsa_vrfy vrfy,
		  const br_ec_private_key *sk, const br_ec_public_key *pk)
{
	unsigned char hash[32] = { 9 }, sig[160];
	size_t slen = 0;
	double t0 = cpu(), t;
	long n = 0;

	do {
		slen = sign(impl, &br_sha256_vtable, hash, sk, sig);
		n++;
	} while ((t = cpu() - t0) < SLICE);
	printf("  %-22s %8.0f sign/s", name, (double)n / t);
	n = 0;
	t0 = cpu();
	do {
		if (!vrfy(impl, hash, sizeof hash, pk, sig, slen))
			printf(" (verify FAILED)");
		n++;
	} while ((t = cpu() - t0) < SLICE);
	printf(" %8.0f verify/s\n", (double)n / t);
}

static void rsa(const char *name, br_rsa_private priv, br_rsa_public pub, const br_rsa_private_key *sk,
		const br_rsa_public_key *pk)
{
	unsigned char x[256];
	double t0 = cpu(), t;
	long n = 0;

	if (!priv || !pub) {
		printf("  %-22s unavailable on this CPU\n", name);
		return;
	}
	do {
		memset(x, 0x42, sizeof x);
		x[0] = 0;
		priv(x, sk);
		n++;
	} while ((t = cpu() - t0) < SLICE);
	printf("  %-22s %8.0f private/s", name, (double)n / t);
	n = 0;
	t0 = cpu();
	do {
		memset(x, 0x42, sizeof x);
		x[0] = 0;
		pub(x, sizeof x, pk);
		n++;
	} while ((t = cpu() - t0) < SLICE);
	printf(" %8.0f public/s\n", (double)n / t);
}

/* ------------------------------------------------------------ handshakes */

struct hs {
	struct tls_server *srv;
	int fd, ok;
	double cpu;             /* the server thread's CPU for its connection */
};

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *serve_one(void *arg)
{
	struct hs *h = arg;
	struct tls_conn *c = malloc(sizeof *c);
	struct berr e;
	char b[8];
	double t0 = thread_cpu();

	h->ok = tls_conn_server(c, h->srv, h->fd, &e) == 0 &&
		tls_conn_handshake(c, tls_now_ms() + 5000, &e) == 0 &&
		tls_conn_read(c, b, 1, tls_now_ms() + 5000, &e) == 1;
	tls_conn_fini(c);
	free(c);
	h->cpu = thread_cpu() - t0;
	return NULL;
}

static void handshakes(const char *name, struct tls_server *srv, const struct tls_anchors *ca,
		       const struct tls_creds *cr, int resume)
{
	br_ssl_session_parameters sess = { 0 };
	struct tls_client_conf cc = { .ca = ca, .creds = cr, .server_name = "127.0.0.1" };
	struct tls_conn *c = malloc(sizeof *c);
	double t0 = 0, t = 0, server = 0;
	long n = 0, bad = 0;
	struct berr e;

	if (resume)
		cc.session = &sess;
	for (int i = 0; t < 1.0; i++) {
		int sv[2];
		pthread_t th;
		struct hs h = { srv, 0, 0, 0 };
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			return;
		h.fd = sv[0];
		pthread_create(&th, NULL, serve_one, &h);
		if (tls_conn_client(c, &cc, sv[1], &e) < 0 || tls_conn_handshake(c, tls_now_ms() + 5000, &e) < 0 ||
		    tls_conn_write_all(c, "x", 1, tls_now_ms() + 5000, &e) < 0 ||
		    tls_conn_flush(c, tls_now_ms() + 5000, &e) < 0)
			bad++;
		pthread_join(th, NULL);
		bad += !h.ok;
		if (resume && i > 0 && !tls_conn_resumed(c))
			bad++;
		tls_conn_fini(c);
		close(sv[0]);
		close(sv[1]);
		if (i == 0) {           /* the first (full) one primes the cache */
			t0 = cpu();
			continue;
		}
		n++;
		server += h.cpu;
		t = cpu() - t0;
	}
	printf("  %-30s %6.0f /s of CPU (%.2f ms both sides), server %.2f ms (%.0f /s of server CPU)%s\n",
	       name, (double)n / t, t * 1000 / (double)n, server * 1000 / (double)n, (double)n / server,
	       bad ? " SOME FAILED" : "");
	free(c);
}

static void load(const char *dir, const char *who, struct tls_creds *cr, struct tls_anchors *pub)
{
	char c[4096], k[4096];
	struct berr e;

	snprintf(c, sizeof c, "%s/%s/cert.pem", dir, who);
	snprintf(k, sizeof k, "%s/%s/key.pem", dir, who);
	if (tls_creds_load(cr, c, k, &e) < 0 || (pub && tls_anchors_load(pub, c, &e) < 0)) {
		fprintf(stderr, "tlsspeed: %s\n", e.msg);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	struct tls_creds srvc, ecc, rsac;
	struct tls_anchors ca, ecpub, rsapub;
	struct tls_server srv, srv_cache;
	struct berr e;
	char p[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: tlsspeed PKI_DIR\n");
		return 100;
	}
	load(argv[1], "server", &srvc, NULL);
	load(argv[1], "admin", &ecc, &ecpub);
	load(argv[1], "rsa-admin", &rsac, &rsapub);
	snprintf(p, sizeof p, "%s/ca.pem", argv[1]);
	if (tls_anchors_load(&ca, p, &e) < 0) {
		fprintf(stderr, "tlsspeed: %s\n", e.msg);
		return 1;
	}
	printf("AES-128-CTR\n");
	ctr("aes_x86ni", br_aes_x86ni_ctr_get_vtable());
	ctr("aes_ct64", &br_aes_ct64_ctr_vtable);
	ctr("aes_ct", &br_aes_ct_ctr_vtable);
	ctr("aes_big", &br_aes_big_ctr_vtable);
	printf("GHASH\n");
	ghash("ghash_pclmul", br_ghash_pclmul_get());
	ghash("ghash_ctmul64", br_ghash_ctmul64);
	ghash("ghash_ctmul", br_ghash_ctmul);
	ghash("ghash_ctmul32", br_ghash_ctmul32);
	printf("ChaCha20\n");
	chacha("chacha20_sse2", br_chacha20_sse2_get());
	chacha("chacha20_ct", br_chacha20_ct_run);
	printf("Poly1305\n");
	poly("poly1305_ctmulq", br_poly1305_ctmulq_get());
	poly("poly1305_ctmul", br_poly1305_ctmul_run);
	poly("poly1305_ctmul32", br_poly1305_ctmul32_run);
	poly("poly1305_i15", br_poly1305_i15_run);
	printf("X25519\n");
	ecmul("ec_c25519_m31", &br_ec_c25519_m31, BR_EC_curve25519);
	ecmul("ec_c25519_m15", &br_ec_c25519_m15, BR_EC_curve25519);
	ecmul("ec_c25519_i31", &br_ec_c25519_i31, BR_EC_curve25519);
	printf("P-256 point multiplication\n");
	ecmul("ec_p256_m31", &br_ec_p256_m31, BR_EC_secp256r1);
	ecmul("ec_p256_m15", &br_ec_p256_m15, BR_EC_secp256r1);
	ecmul("ec_prime_i31", &br_ec_prime_i31, BR_EC_secp256r1);
	printf("ECDSA P-256 (SHA-256)\n");
	ecdsa("ecdsa_i31 + p256_m31", &br_ec_p256_m31, br_ecdsa_i31_sign_asn1, br_ecdsa_i31_vrfy_asn1,
	      &ecc.ec, &ecpub.ta[0].pkey.key.ec);
	ecdsa("ecdsa_i31 + p256_m15", &br_ec_p256_m15, br_ecdsa_i31_sign_asn1, br_ecdsa_i31_vrfy_asn1,
	      &ecc.ec, &ecpub.ta[0].pkey.key.ec);
	ecdsa("ecdsa_i15 + p256_m15", &br_ec_p256_m15, br_ecdsa_i15_sign_asn1, br_ecdsa_i15_vrfy_asn1,
	      &ecc.ec, &ecpub.ta[0].pkey.key.ec);
	printf("RSA-2048\n");
	rsa("rsa_i62", br_rsa_i62_private_get(), br_rsa_i62_public_get(), &rsac.rsa, &rsapub.ta[0].pkey.key.rsa);
	rsa("rsa_i31", br_rsa_i31_private, br_rsa_i31_public, &rsac.rsa, &rsapub.ta[0].pkey.key.rsa);
	rsa("rsa_i15", br_rsa_i15_private, br_rsa_i15_public, &rsac.rsa, &rsapub.ta[0].pkey.key.rsa);

	struct tls_server_conf conf = { .creds = &srvc, .client_ca = &ca };
	if (tls_server_init(&srv, &conf, &e) < 0)
		return 1;
	conf.session_cache_bytes = 1 << 20;
	if (tls_server_init(&srv_cache, &conf, &e) < 0)
		return 1;
	printf("lib/tls handshakes (server P-256 ECDSA, X25519, AES-128-GCM; both sides' CPU)\n");
	handshakes("full, P-256 client key", &srv, &ca, &ecc, 0);
	handshakes("full, RSA-2048 client key", &srv, &ca, &rsac, 0);
	handshakes("resumed (session cache)", &srv_cache, &ca, &ecc, 1);
	printf("sizeof(struct tls_conn) = %zu bytes\n", sizeof(struct tls_conn));
	tls_server_fini(&srv);
	tls_server_fini(&srv_cache);
	return 0;
}
