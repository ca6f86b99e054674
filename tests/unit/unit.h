/* unit.h — berth's unit-test harness.
 *
 * A test file defines static void functions and ends with
 *
 *     UNIT_MAIN(UNIT(test_one), UNIT(test_two))
 *
 * Every test runs in a forked child, so a crash, an abort or a sanitizer
 * report fails that test only. Output is TAP ("ok 1 - test_one"), then a
 * closing comment "# NAME: N passed, N failed, N skipped". A test passes when
 * it returns; CHECK* failures print file:line and what differed.
 * UNIT_SKIP("reason") skips the test with its reason printed.
 * Exit code: 0 when nothing failed, 1 otherwise.
 */
#ifndef BERTH_TESTS_UNIT_H
#define BERTH_TESTS_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

#define UNIT(f) { #f, f }
#define UNIT_SKIP_CODE 77

#define UNIT_FAIL_(...)                                                   \
	do {                                                              \
		fprintf(stderr, "# %s:%d: ", __FILE__, __LINE__);         \
		fprintf(stderr, __VA_ARGS__);                             \
		fputc('\n', stderr);                                      \
		_exit(1);                                                 \
	} while (0)

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond))                                              \
			UNIT_FAIL_("check failed: %s", #cond);            \
	} while (0)

#define CHECK_INT(a, b)                                                   \
	do {                                                              \
		long long a_ = (long long)(a), b_ = (long long)(b);       \
		if (a_ != b_)                                             \
			UNIT_FAIL_("%s == %lld, want %s == %lld", #a, a_, #b, b_); \
	} while (0)

#define CHECK_STR(a, b)                                                   \
	do {                                                              \
		const char *a_ = (a), *b_ = (b);                          \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                    \
			UNIT_FAIL_("%s is \"%s\", want \"%s\"", #a,       \
				   a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} while (0)

#define UNIT_SKIP(reason)                                                 \
	do {                                                              \
		printf("SKIP %s\n", reason);                              \
		fflush(stdout);                                           \
		_exit(UNIT_SKIP_CODE);                                    \
	} while (0)

static inline int unit_run(const char *prog, const struct unit_test *t, int n)
{
	int passed = 0, failed = 0, skipped = 0;

	printf("1..%d\n", n);
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		int fds[2], status = 0;
		char reason[256] = "";
		pid_t pid;

		if (pipe(fds) < 0) {
			perror("pipe");
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			dup2(fds[1], 1);
			t[i].fn();
			fflush(stdout);
			_exit(0);
		}
		close(fds[1]);
		{ /* the child's stdout carries only a skip reason */
			ssize_t r = read(fds[0], reason, sizeof reason - 1);
			reason[r > 0 ? r : 0] = '\0';
			reason[strcspn(reason, "\n")] = '\0';
		}
		close(fds[0]);
		waitpid(pid, &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok %d - %s\n", i + 1, t[i].name);
			passed++;
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == UNIT_SKIP_CODE) {
			printf("ok %d - %s # SKIP %s\n", i + 1, t[i].name,
			       strncmp(reason, "SKIP ", 5) ? reason : reason + 5);
			skipped++;
		} else {
			if (WIFSIGNALED(status))
				printf("not ok %d - %s (killed by signal %d)\n", i + 1, t[i].name, WTERMSIG(status));
			else
				printf("not ok %d - %s (exit %d)\n", i + 1, t[i].name, WEXITSTATUS(status));
			failed++;
		}
		fflush(stdout);
	}
	printf("# %s: %d passed, %d failed, %d skipped\n", prog, passed, failed, skipped);
	return failed ? 1 : 0;
}

#define UNIT_MAIN(...)                                                    \
	int main(int argc, char **argv)                                   \
	{                                                                 \
		static const struct unit_test tests_[] = { __VA_ARGS__ }; \
		const char *slash = strrchr(argv[0], '/');                \
		(void)argc;                                               \
		return unit_run(slash ? slash + 1 : argv[0], tests_,      \
				(int)(sizeof tests_ / sizeof tests_[0])); \
	}

#endif
