/* auth: sign-in, sessions, API tokens, and who is asking.
 *
 * A session is a random token in an HttpOnly, SameSite=Lax cookie
 * ("fd_session"; Secure behind TLS), held on the server as its SHA-256 in
 * the sessions table, with a CSRF token that every unsafe request from a
 * browser must echo in the X-CSRF-Token header (forms, when pages come,
 * will carry it as a csrf_token field).
 * Systems use API tokens: "Authorization: Bearer TOKEN". Both kinds of
 * token are "<council>.<64 hex digits>", so the council is known before
 * any lookup. Passwords are hashed with argon2id (libsodium). */
#ifndef FD_AUTH_H
#define FD_AUTH_H
#include <stdio.h>

#include "web/http.h"

enum { SESSION_HOURS = 12, TOKEN_LEN = 96 };

/* Fills q->who from the request's bearer token or session cookie.
 * Returns 0 if there were no credentials or they are good; -1 if
 * credentials were given but are not valid (unknown, expired, revoked). */
int auth_resolve(req *q);
/* 1 if the resident q->who may reach record id under own (web/routes.h):
 * OWN_PERSON: themselves or a current member of their household;
 * OWN_HOUSEHOLD: their current household; OWN_NONE: always (the route's
 * roles decide). 0 otherwise. */
int auth_resident_may(req *q, int own, long long id);
/* 1 unless an API token lacks the scope the method needs: "read" for GET
 * and HEAD, "write" for the rest. Sessions have no scopes (roles decide). */
int auth_scope_ok(req *q);
/* 1 if the request carries the session's CSRF token (always 1 for bearer
 * tokens and for safe methods). */
int auth_csrf_ok(req *q);

/* Hashes pw with argon2id into out (crypto_pwhash_STRBYTES). 0 on success. */
int auth_hash_password(const char *pw, char *out, size_t outlen);
/* A new random token for council into out (TOKEN_LEN bytes) and the hex
 * SHA-256 of it into hash (65 bytes). */
void auth_new_token(long long council, char out[TOKEN_LEN], char hash[65]);
/* The hex SHA-256 of token into hash (65 bytes). */
void auth_token_hash(const char *token, char hash[65]);

/* Route handlers: sign in, who am I, sign out, sign out everywhere. */
int api_session_create(req *q, resp *p);
int api_session_get(req *q, resp *p);
int api_session_delete(req *q, resp *p);
int api_sessions_delete_all(req *q, resp *p);

/* Command line: `frontdoor user add` and `frontdoor token create` write a
 * user (password read from stdin) or a token (printed once). Return the
 * exit code and print one line on failure. */
int auth_cli_user_add(store *s, long long council, const char *email, const char *name, const char *role,
                      const char *department, long long person_id);
int auth_cli_token_create(store *s, long long council, const char *name, const char *role, const char *department,
                          const char *scopes);

/* Adds one staff account per role (and a resident linked to person 1) to
 * the demo borough with passwords made now, and an agent API token;
 * prints them all to out. 0, or -1 with a line on stderr. */
int auth_demo_accounts(store *s, long long council, FILE *out);

#endif
