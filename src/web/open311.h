/* open311: Open311 GeoReport v2 under /open311/v2/, in XML and JSON, with
 * FixMyStreet's servicerequestupdates extension (/work/shared/open311.md).
 *
 * The services offered are the catalogue's request services listed in
 * catalogue/open311.txt; a service's e-form fields are its definition's
 * attributes. Requests are made through the request API's own create
 * (api_request_create_in), so an Open311 report gets the same promised date,
 * team, timeline, contact log, duplicate check and messages as any other.
 * POST needs an api_key: an API token with the "open311" scope, one per
 * client (`frontdoor open311-key create --name NAME`).
 *
 * Every answer is built once as the JSON of the Spark convention and
 * written either as that JSON or as the XML it stands for. Errors, including
 * the server's own refusals before a handler runs (open311_finish), are
 * errors/error{code, description} with 404 (no such thing), 403 (api_key)
 * or 400 (anything else). */
#ifndef FD_OPEN311_H
#define FD_OPEN311_H
#include "core/catalogue.h"
#include "web/http.h"

/* Reads the services offered (path, usually catalogue/open311.txt) against
 * cat; jurisdiction (may be NULL: any is accepted) is the jurisdiction_id
 * this server answers for. A missing file offers no services. 0, or -1
 * with "FILE:LINE: reason" in err. Call once before serving. */
int open311_configure(const catalogue *cat, const char *path, const char *jurisdiction, char *err, size_t errlen);
/* Releases what open311_configure kept. */
void open311_free(void);

/* Rewrites an error answer under /open311/ as an Open311 errors body in
 * the format the path asks for. The server calls it for every answer. */
void open311_finish(req *q, resp *p);

/* Route handlers (each serves both .xml and .json). */
int open311_discovery(req *q, resp *p);
int open311_services(req *q, resp *p);
int open311_service_definition(req *q, resp *p);
int open311_request_create(req *q, resp *p);
int open311_requests(req *q, resp *p);
int open311_request_get(req *q, resp *p);
int open311_token_get(req *q, resp *p);
int open311_updates(req *q, resp *p);
int open311_update_create(req *q, resp *p);

/* `frontdoor open311-key create --name NAME`: an API token with the
 * open311 scope, printed once. The exit code. */
int open311_cli_key_create(store *s, long long council, const char *name);

#endif
