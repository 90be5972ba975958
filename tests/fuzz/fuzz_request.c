/* fuzz_request: libFuzzer target for request handling, end to end. The
 * real server (libmicrohttpd, the route table, every handler, SQLite) runs
 * in this process on a free loopback port over a scratch database holding
 * a small demo borough; each input is sent as raw bytes on a new
 * connection and the answer read until the server closes it or a short
 * wait ends. Inputs may say "@TOKEN@" where a valid API token (an admin's,
 * read and write) belongs, so the seeds reach past sign-in into the
 * handlers. A crash, a sanitizer report or a leak in the server fails the
 * run. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "base/file.h"
#include "base/log.h"
#include "core/access.h"
#include "core/catalogue.h"
#include "demo/demo.h"
#include "store/store.h"
#include "web/auth.h"
#include "web/server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static store *st;
static catalogue cat;
static server_opts so;
static char listen_at[64], token[TOKEN_LEN];
static int port;

static void *serve(void *arg)
{
    (void)arg;
    server_run(st, &so);
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_quiet(1);
    char err[600];
    char *text = file_read("catalogue/services.txt", 4 << 20, NULL, err, sizeof err), *hol = NULL;
    if (!text || catalogue_parse(text, "catalogue/services.txt", &cat, err, sizeof err) != 0 ||
        !(hol = file_read("catalogue/bank_holidays.txt", 32 << 10, NULL, err, sizeof err)) ||
        holidays_parse(hol, "catalogue/bank_holidays.txt", &cat.bank_holidays, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_request: run from the repository root (catalogue/): %s\n", err);
        abort();
    }
    free(text);
    free(hol);
    char dir[] = "/tmp/fuzz-request-XXXXXX", path[128];
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/fuzz.db", dir);
    st = store_open(path, NULL, err, sizeof err);
    store_conn *c = st ? store_conn_get(st, err, sizeof err) : NULL;
    if (!c || store_migrate(c, NULL) != STORE_OK) {
        fprintf(stderr, "fuzz_request: %s\n", err);
        abort();
    }
    demo_stats ds;
    if (demo_load(c, 1, 300, 1, &ds, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_request: demo: %s\n", err);
        abort();
    }
    /* An admin's token, made as `frontdoor token create` makes one. */
    char hash[65];
    auth_new_token(1, token, hash);
    record t;
    record_init(&t, &api_token_def);
    rec_set_str(&t, "name", "fuzz");
    rec_set_str(&t, "token_hash", hash);
    rec_set_str(&t, "role", "admin");
    rec_set_str(&t, "scopes", "read write");
    if (store_insert(c, 1, &t) != STORE_OK)
        abort();
    /* A free port: bind to 0, read it, let go. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 || getsockname(s, (struct sockaddr *)&sa, &sl) != 0)
        abort();
    port = ntohs(sa.sin_port);
    close(s);
    snprintf(listen_at, sizeof listen_at, "127.0.0.1:%d", port);
    so = (server_opts){.listen = listen_at, .threads = 2, .max_body = 1 << 16, .timeout_s = 2, .access_log = "off",
                       .cat = &cat, .static_dir = "static", .default_council = 1};
    pthread_t th;
    if (pthread_create(&th, NULL, serve, NULL) != 0)
        abort();
    pthread_detach(th);
    /* Wait until it answers. */
    for (int i = 0; i < 200; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int ok = connect(fd, (struct sockaddr *)&to, sizeof to) == 0;
        close(fd);
        if (ok)
            return 0;
        usleep(50 * 1000);
    }
    fprintf(stderr, "fuzz_request: the server did not start\n");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* "@TOKEN@" becomes the token. */
    static const char mark[] = "@TOKEN@";
    size_t cap = size + 64 * 8 + 1, n = 0;
    char *msg = malloc(cap);
    for (size_t i = 0; i < size;) {
        if (i + sizeof mark - 1 <= size && !memcmp(data + i, mark, sizeof mark - 1) && n + TOKEN_LEN < cap) {
            size_t l = strlen(token);
            memcpy(msg + n, token, l);
            n += l;
            i += sizeof mark - 1;
        } else if (n + 1 < cap) {
            msg[n++] = (char)data[i++];
        } else {
            break;
        }
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {0, 100 * 1000}; /* a request the server waits on (no end yet) is cut short here */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&to, sizeof to) == 0) {
        size_t off = 0;
        while (off < n) {
            ssize_t w = send(fd, msg + off, n - off, MSG_NOSIGNAL);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        shutdown(fd, SHUT_WR);
        /* Read until one whole answer (headers and Content-Length bytes)
         * is in, the server closes, or the wait ends. */
        static char buf[1 << 20];
        size_t got = 0;
        ssize_t r;
        while (got < sizeof buf - 1 && (r = recv(fd, buf + got, sizeof buf - 1 - got, 0)) > 0) {
            got += (size_t)r;
            buf[got] = '\0';
            const char *end = strstr(buf, "\r\n\r\n");
            if (!end)
                continue;
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            if (cl && cl < end && got >= (size_t)(end + 4 - buf) + strtoull(cl + 17, NULL, 10))
                break;
        }
    }
    close(fd);
    free(msg);
    return 0;
}
