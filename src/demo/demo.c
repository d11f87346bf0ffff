/*
 * The demo program that `wraith demo` traces: a tiny order desk that handles a
 * stream of requests, so there is something alive to look at. Built with debug
 * info by build.ts and embedded in the wraith binary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind { KIND_GET, KIND_PUT, KIND_DELETE };

struct user {
	int id;
	char name[16];
};

struct request {
	int id;
	enum kind kind;
	const char *path;
	struct user *owner;
	double amount;
};

static struct user users[] = { { 7, "alice" }, { 42, "bob" }, { 1001, "carol" } };
static const char *paths[] = { "/orders", "/orders/17", "/health", "/users/42" };
long handled_total;

__attribute__((noinline)) int handle_request(struct request *req)
{
	int status = req->kind == KIND_DELETE ? 403 : 200;
	handled_total++;
	return status;
}

__attribute__((noinline)) void log_slow(int id, long micros)
{
	if (micros > 1000000)
		fprintf(stderr, "slow request %d\n", id);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 12;
	for (int i = 0; i < rounds; i++) {
		struct request req = {
			.id = 100 + i,
			.kind = (enum kind)(i % 3),
			.path = paths[i % 4],
			.owner = &users[i % 3],
			.amount = 9.5 * i,
		};
		handle_request(&req);
		log_slow(req.id, 1000L * i);
		usleep(150 * 1000);
	}
	return 0;
}
