/*
 * registry/h_pending.c: endpoints whose issues have not landed yet answer
 * 501 with a message saying so.
 * XXX issue 4 (grant API) replaces these.
 */
#include "registry/handlers.h"

enum reg_err
h_grants_get(struct reg_req *r)
{
	resp_status(r->conn, 501);
	return resp_error(r->conn, 501, "the grant API is not available yet");
}

enum reg_err
h_grant_put(struct reg_req *r)
{
	return h_grants_get(r);
}

enum reg_err
h_grant_delete(struct reg_req *r)
{
	return h_grants_get(r);
}
