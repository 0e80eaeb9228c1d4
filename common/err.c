/*
 * common/err.c: texts and HTTP statuses of enum reg_err, in one table so
 * that a new code cannot be added without both.
 */
#include "common/err.h"

static const struct {
	const char *text;
	int status;
} err_tab[REG_ERR_MAX] = {
	[REG_OK] = { "ok", 200 },
	[REG_ENOMEM] = { "out of memory", 500 },
	[REG_EINVAL] = { "invalid request", 400 },
	[REG_ENOENT] = { "not found", 404 },
	[REG_EEXIST] = { "conflict", 409 },
	[REG_EAUTH] = { "authentication required", 401 },
	[REG_EPERM] = { "forbidden", 403 },
	[REG_ETOOBIG] = { "too large", 413 },
	[REG_ESTORE] = { "storage failure", 500 },
	[REG_ENOSPC] = { "insufficient storage", 507 },
	[REG_ECRYPTO] = { "crypto failure", 500 },
	[REG_EUPSTREAM] = { "upstream unavailable", 503 },
	[REG_ESYS] = { "system failure", 500 },
	[REG_EMETHOD] = { "method not allowed", 405 },
	[REG_EMEDIA] = { "unsupported media type", 415 },
	[REG_EUNPROC] = { "unprocessable content", 422 },
};

const char *
reg_err_str(enum reg_err er)
{
	if ((unsigned)er >= REG_ERR_MAX)
		return "unknown error";
	return err_tab[er].text;
}

int
reg_err_http_status(enum reg_err er)
{
	if ((unsigned)er >= REG_ERR_MAX)
		return 500;
	return err_tab[er].status;
}
