/*
 * tests/fuzz/fuzz_orch_id.c: the customer-id grammar valid on AWS, Azure
 * and Google Cloud, ^[a-z][a-z0-9]{2,14}$, against a byte-wise
 * restatement; every accepted id also makes names the clouds accept:
 * honua-customer-<id> fits IAM's 64 and GCP's 30-character limits.
 * Inputs are exact-size heap copies, so any read past len is an ASan error.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../admin-tools/orch_aws.h"
#include "../../admin-tools/orch_core.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
ref(const uint8_t *p, size_t len)
{
	size_t i;

	if (len < 3 || len > 15 || p[0] < 'a' || p[0] > 'z')
		return false;
	for (i = 1; i < len; i++) {
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		        (p[i] >= '0' && p[i] <= '9')))
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *p, id[32], user[64], repo[64];
	bool ok;

	p = calloc(1, len > 0 ? len : 1);
	if (p == NULL)
		return 0;
	if (len > 0)
		memcpy(p, data, len);
	ok = orch_customer_id_valid(p, len);
	if (ok != ref(data, len))
		abort();
	if (ok) {
		memcpy(id, p, len);
		id[len] = '\0';
		if (!orch_aws_user_name(id, user, sizeof(user)) ||
		    strlen(user) > 30 ||
		    !orch_aws_repo_name(id, "app", repo, sizeof(repo)) ||
		    !orch_image_name_valid(id, len))
			abort();
	}
	free(p);
	return 0;
}
