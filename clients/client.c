/*
 * client.c - libdlpclient: connect, frame, send and receive dlpd requests.
 *
 * The socket is non-blocking and every wait is a poll() against a deadline,
 * so no call blocks longer than its timeout. Incoming bytes are assembled
 * with dlp_framebuf (hard maximum per frame); decoded responses that a
 * dlp_client_call() skipped over wait in a small FIFO for dlp_client_recv().
 * Sends also read: a daemon that limits requests in flight per connection
 * stops reading until its answers are consumed, and a client that only
 * wrote would then wait forever.
 *
 * tls: addresses add an OpenSSL session (client_tls.c) on the same
 * non-blocking socket; io_read/io_write hide which transport is in use, and
 * report what to poll for when they would block (a TLS read may need the
 * socket writable and the reverse).
 */
#include "dlp/client.h"
#include "client_tls.h"
#include "client_util.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "dlp_frame.h"

typedef struct stash {
    Dlp__V1__Response *r;
    struct stash *next;
} stash_t;

struct dlp_client {
    int fd;
    dlpcl_tls_conn_t *tls; /* NULL: plaintext */
    short rd_wait;         /* poll events the last blocked read waits for */
    short wr_wait;         /* the same for the last blocked write */
    int timeout_ms;        /* default wait for sends */
    uint64_t next_id;
    dlp_framebuf_t in;
    stash_t *head, *tail; /* responses received but not yet returned */
};

/* ------------------------------------------------------------------ errors */

const char *dlp_client_strerror(int err)
{
#define DLP_CLIENT_ERR_TEXT(name, code, text)                                                      \
    case code:                                                                                     \
        return text;
    switch (err) {
        DLP_CLIENT_ERRNO_MAP(DLP_CLIENT_ERR_TEXT)
    }
#undef DLP_CLIENT_ERR_TEXT
    return "unknown error";
}

const char *dlp_client_err_name(int err)
{
#define DLP_CLIENT_ERR_NAME(name, code, text)                                                      \
    case code:                                                                                     \
        return "DLP_CLIENT_" #name;
    switch (err) {
        DLP_CLIENT_ERRNO_MAP(DLP_CLIENT_ERR_NAME)
    }
#undef DLP_CLIENT_ERR_NAME
    return "DLP_CLIENT_UNKNOWN";
}

int dlpcl_fail(int code, char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        int n = snprintf(err, errlen, "%s: ", dlp_client_strerror(code));
        if (n >= 0 && (size_t)n < errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

/* -------------------------------------------------------------- deadlines */

int64_t dlpcl_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t deadline_from(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : dlpcl_now_ms() + timeout_ms;
}

/* Milliseconds left for poll(): -1 = forever, 0 = expired. */
static int remaining(int64_t deadline)
{
    if (deadline < 0)
        return -1;
    int64_t left = deadline - dlpcl_now_ms();
    if (left <= 0)
        return 0;
    return left > 1000000 ? 1000000 : (int)left;
}

int dlpcl_wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, remaining(deadline));
        if (r > 0)
            return p.revents;
        if (r == 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

/* ----------------------------------------------------------------- connect */

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Finishes a non-blocking connect() that returned EINPROGRESS. */
static int connect_wait(int fd, int64_t deadline)
{
    int rev = dlpcl_wait_fd(fd, POLLOUT, deadline);
    if (rev == 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    if (rev < 0)
        return -1;
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
        return -1;
    if (soerr) {
        errno = soerr;
        return -1;
    }
    return 0;
}

static int connect_unix(const char *path, int64_t deadline, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen, "socket path too long: %s", path);
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return dlpcl_fail(DLP_CLIENT_ECONNECT, err, errlen, "socket: %s", strerror(errno));
    /* A full listen backlog gives EAGAIN on unix sockets: retry until the deadline. */
    while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        if (errno == EINPROGRESS && connect_wait(fd, deadline) == 0)
            return fd;
        if ((errno == EAGAIN || errno == EINTR) && remaining(deadline) != 0) {
            poll(NULL, 0, 5);
            continue;
        }
        int e = errno;
        close(fd);
        return dlpcl_fail(DLP_CLIENT_ECONNECT, err, errlen, "unix:%s: %s", path, strerror(e));
    }
    return fd;
}

/* Splits "HOST:PORT" or "[V6]:PORT" into host and port (in place). */
static int split_host_port(char *s, char **host, char **port)
{
    char *colon = strrchr(s, ':');
    if (!colon || colon == s || colon[1] == '\0')
        return -1;
    *colon = '\0';
    *port = colon + 1;
    *host = s;
    size_t n = strlen(s);
    if (s[0] == '[') {
        if (n < 3 || s[n - 1] != ']')
            return -1;
        s[n - 1] = '\0';
        *host = s + 1;
    }
    return 0;
}

/* Connects to HOST:PORT; 'scheme' ("tcp" or "tls") is for messages. */
static int connect_tcp(const char *scheme, const char *hostport, int64_t deadline, char *err,
                       size_t errlen)
{
    char *copy = strdup(hostport), *host, *port;
    if (!copy)
        return dlpcl_fail(DLP_CLIENT_ENOMEM, err, errlen, "address");
    if (split_host_port(copy, &host, &port) < 0) {
        free(copy);
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen, "expected %s:HOST:PORT, got %s:%s",
                          scheme, scheme, hostport);
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        int code = dlpcl_fail(DLP_CLIENT_ECONNECT, err, errlen, "%s:%s: %s", scheme, hostport,
                              gai_strerror(gai));
        free(copy);
        return code;
    }
    int fd = -1, e = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
            (errno == EINPROGRESS && connect_wait(fd, deadline) == 0))
            break;
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        fd = dlpcl_fail(DLP_CLIENT_ECONNECT, err, errlen, "%s:%s: %s", scheme, hostport,
                        strerror(e));
    free(copy);
    return fd;
}

/* TCP connect and TLS handshake for "HOST:PORT" (a tls: address without its prefix). */
static int connect_tls(const char *hostport, const dlp_client_tls_t *tls, int64_t deadline,
                       dlpcl_tls_conn_t **out, char *err, size_t errlen)
{
    if (!tls)
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen,
                          "tls:%s needs TLS settings (dlp_client_connect_tls)", hostport);
    int fd = connect_tcp("tls", hostport, deadline, err, errlen);
    if (fd < 0)
        return fd;
    char *copy = strdup(hostport), *host, *port;
    int r = copy ? DLP_CLIENT_OK : dlpcl_fail(DLP_CLIENT_ENOMEM, err, errlen, "address");
    if (r == DLP_CLIENT_OK)
        r = split_host_port(copy, &host, &port) < 0
                ? dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen, "tls:%s", hostport)
                : dlpcl_tls_connect(tls, fd, host, deadline, out, err, errlen);
    free(copy);
    if (r < 0) {
        close(fd);
        return r;
    }
    return fd;
}

int dlp_client_connect_tls(const char *address, int timeout_ms, const dlp_client_tls_t *tls,
                           dlp_client_t **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!address)
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen, "no address");
    int64_t deadline = deadline_from(timeout_ms);
    dlpcl_tls_conn_t *session = NULL;
    int fd;
    if (strncmp(address, "unix:", 5) == 0)
        fd = connect_unix(address + 5, deadline, err, errlen);
    else if (strncmp(address, "tcp:", 4) == 0)
        fd = connect_tcp("tcp", address + 4, deadline, err, errlen);
    else if (strncmp(address, "tls:", 4) == 0)
        fd = connect_tls(address + 4, tls, deadline, &session, err, errlen);
    else
        return dlpcl_fail(DLP_CLIENT_EINVAL, err, errlen,
                          "address must be unix:PATH, tcp:HOST:PORT or tls:HOST:PORT, got %s",
                          address);
    if (fd < 0)
        return fd;
    dlp_client_t *c = calloc(1, sizeof(*c));
    if (!c || set_nonblock(fd) < 0) {
        free(c);
        dlpcl_tls_close(session);
        close(fd);
        return dlpcl_fail(DLP_CLIENT_ENOMEM, err, errlen, "client");
    }
    c->fd = fd;
    c->tls = session;
    c->rd_wait = POLLIN;
    c->wr_wait = POLLOUT;
    c->timeout_ms = timeout_ms;
    c->next_id = 1;
    dlp_framebuf_init(&c->in, DLP_CLIENT_DEFAULT_MAX_FRAME);
    *out = c;
    return DLP_CLIENT_OK;
}

int dlp_client_connect(const char *address, int timeout_ms, dlp_client_t **out, char *err,
                       size_t errlen)
{
    return dlp_client_connect_tls(address, timeout_ms, NULL, out, err, errlen);
}

void dlp_client_free(dlp_client_t *c)
{
    if (!c)
        return;
    while (c->head) {
        stash_t *s = c->head;
        c->head = s->next;
        dlp_client_response_free(s->r);
        free(s);
    }
    dlp_framebuf_free(&c->in);
    dlpcl_tls_close(c->tls);
    close(c->fd);
    free(c);
}

void dlp_client_set_max_frame(dlp_client_t *c, uint32_t max_payload)
{
    c->in.max = max_payload;
}

void dlp_client_set_timeout(dlp_client_t *c, int timeout_ms)
{
    c->timeout_ms = timeout_ms;
}

int dlp_client_fd(const dlp_client_t *c)
{
    return c->fd;
}

uint64_t dlp_client_next_id(dlp_client_t *c)
{
    return c->next_id++;
}

/* --------------------------------------------------------------- transport */

/*
 * Plaintext or TLS: > 0 bytes moved; 0 would block, c->rd_wait / c->wr_wait
 * then saying what to poll for; ECLOSED (err untouched) when the daemon
 * closed; another negative code with err written.
 */
static long io_read(dlp_client_t *c, void *buf, size_t n, char *err, size_t errlen)
{
    if (c->tls)
        return dlpcl_tls_read(c->tls, buf, n, &c->rd_wait, err, errlen);
    ssize_t r = recv(c->fd, buf, n, 0);
    if (r > 0)
        return r;
    if (r == 0)
        return DLP_CLIENT_ECLOSED;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return dlpcl_fail(DLP_CLIENT_EIO, err, errlen, "recv: %s", strerror(errno));
}

static long io_write(dlp_client_t *c, const void *buf, size_t n, char *err, size_t errlen)
{
    if (c->tls)
        return dlpcl_tls_write(c->tls, buf, n, &c->wr_wait, err, errlen);
    ssize_t r = send(c->fd, buf, n, MSG_NOSIGNAL);
    if (r >= 0)
        return r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return 0;
    return dlpcl_fail(DLP_CLIENT_EIO, err, errlen, "send: %s", strerror(errno));
}

/* ----------------------------------------------------------------- receive */

/* Reads what is available into the frame buffer: 1 = got bytes, 0 = would block. */
static int read_some(dlp_client_t *c, char *err, size_t errlen)
{
    size_t avail;
    uint8_t *p = dlp_framebuf_space(&c->in, 0, &avail);
    if (!p)
        return dlpcl_fail(DLP_CLIENT_ENOMEM, err, errlen, "receive buffer");
    long n = io_read(c, p, avail, err, errlen);
    if (n > 0) {
        dlp_framebuf_commit(&c->in, (size_t)n);
        return 1;
    }
    if (n == DLP_CLIENT_ECLOSED)
        return dlpcl_fail(DLP_CLIENT_ECLOSED, err, errlen, "after %zu buffered bytes",
                          dlp_framebuf_pending(&c->in));
    return (int)n;
}

int dlpcl_client_idle_ok(dlp_client_t *c)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    if (poll(&pfd, 1, 0) == 0)
        return 1;
    /* TLS 1.3 session tickets arrive after the handshake: reading consumes them. */
    return c->tls && read_some(c, NULL, 0) == 0;
}

/* Decodes the next buffered frame: 1 = *out set, 0 = need more bytes. */
static int next_buffered(dlp_client_t *c, Dlp__V1__Response **out, char *err, size_t errlen)
{
    const uint8_t *payload;
    uint32_t len;
    dlp_frame_status_t st = dlp_framebuf_next(&c->in, &payload, &len);
    if (st == DLP_FRAME_NEED_MORE)
        return 0;
    if (st == DLP_FRAME_TOO_LARGE)
        return dlpcl_fail(DLP_CLIENT_ETOOBIG, err, errlen, "response declares %u bytes, limit %u",
                          len, c->in.max);
    if (st != DLP_FRAME_READY)
        return dlpcl_fail(DLP_CLIENT_ENOMEM, err, errlen, "frame buffer");
    *out = dlp__v1__response__unpack(NULL, len, payload);
    if (!*out)
        return dlpcl_fail(DLP_CLIENT_EPROTO, err, errlen, "undecodable %u-byte response", len);
    return 1;
}

/* The next response from the socket (not the stash), waiting until deadline. */
static int recv_wire(dlp_client_t *c, int64_t deadline, Dlp__V1__Response **out, char *err,
                     size_t errlen)
{
    for (;;) {
        int r = next_buffered(c, out, err, errlen);
        if (r != 0)
            return r < 0 ? r : DLP_CLIENT_OK;
        r = read_some(c, err, errlen);
        if (r < 0)
            return r;
        if (r > 0)
            continue;
        int rev = dlpcl_wait_fd(c->fd, c->rd_wait, deadline);
        if (rev == 0)
            return dlpcl_fail(DLP_CLIENT_ETIMEDOUT, err, errlen, "waiting for a response");
        if (rev < 0)
            return dlpcl_fail(DLP_CLIENT_EIO, err, errlen, "poll: %s", strerror(errno));
    }
}

int dlp_client_recv(dlp_client_t *c, int timeout_ms, Dlp__V1__Response **out, char *err,
                    size_t errlen)
{
    *out = NULL;
    if (c->head) {
        stash_t *s = c->head;
        c->head = s->next;
        if (!c->head)
            c->tail = NULL;
        *out = s->r;
        free(s);
        return DLP_CLIENT_OK;
    }
    return recv_wire(c, deadline_from(timeout_ms), out, err, errlen);
}

void dlp_client_response_free(Dlp__V1__Response *r)
{
    if (r)
        dlp__v1__response__free_unpacked(r, NULL);
}

/* -------------------------------------------------------------------- send */

static int stash_push(dlp_client_t *c, Dlp__V1__Response *r)
{
    stash_t *s = malloc(sizeof(*s));
    if (!s)
        return -1;
    s->r = r;
    s->next = NULL;
    if (c->tail)
        c->tail->next = s;
    else
        c->head = s;
    c->tail = s;
    return 0;
}

/* Removes and returns the stashed response with this id, if any. */
static Dlp__V1__Response *stash_take(dlp_client_t *c, uint64_t id)
{
    stash_t *prev = NULL;
    for (stash_t *s = c->head; s; prev = s, s = s->next) {
        if (s->r->id != id)
            continue;
        if (prev)
            prev->next = s->next;
        else
            c->head = s->next;
        if (c->tail == s)
            c->tail = prev;
        Dlp__V1__Response *r = s->r;
        free(s);
        return r;
    }
    return NULL;
}

/*
 * Reads and decodes what the daemon has sent so far into the stash, so that
 * the frame size limit applies and the buffer stays small. A close is left
 * for the next send or receive to report.
 */
static int drain_into_stash(dlp_client_t *c, char *err, size_t errlen)
{
    int r = read_some(c, err, errlen);
    if (r == DLP_CLIENT_ECLOSED)
        return 0;
    while (r >= 0) {
        Dlp__V1__Response *resp;
        r = next_buffered(c, &resp, err, errlen);
        if (r <= 0)
            return r;
        if (stash_push(c, resp) < 0) {
            dlp_client_response_free(resp);
            return dlpcl_fail(DLP_CLIENT_ENOMEM, err, errlen, "keeping a pipelined response");
        }
    }
    return r;
}

static int write_all(dlp_client_t *c, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    int64_t deadline = deadline_from(c->timeout_ms);
    while (len > 0) {
        long n = io_write(c, buf, len, err, errlen);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0)
            return (int)n == DLP_CLIENT_ECLOSED
                       ? dlpcl_fail(DLP_CLIENT_ECLOSED, err, errlen, "while sending")
                       : (int)n;
        int rev = dlpcl_wait_fd(c->fd, c->wr_wait | POLLIN, deadline);
        if (rev == 0)
            return dlpcl_fail(DLP_CLIENT_ETIMEDOUT, err, errlen, "sending a request");
        if (rev < 0)
            return dlpcl_fail(DLP_CLIENT_EIO, err, errlen, "poll: %s", strerror(errno));
        /* Drain answers while the daemon is not reading; they are decoded later. */
        if (rev & POLLIN) {
            int r = drain_into_stash(c, err, errlen);
            if (r < 0)
                return r;
        }
    }
    return DLP_CLIENT_OK;
}

int dlp_client_send(dlp_client_t *c, const Dlp__V1__Request *req, char *err, size_t errlen)
{
    uint8_t *frame;
    size_t len;
    if (dlp_frame_pack(&req->base, &frame, &len) < 0)
        return dlpcl_fail(DLP_CLIENT_ENOMEM, err, errlen, "packing request %llu",
                          (unsigned long long)req->id);
    int r = write_all(c, frame, len, err, errlen);
    free(frame);
    return r;
}

int dlp_client_call(dlp_client_t *c, const Dlp__V1__Request *req, int timeout_ms,
                    Dlp__V1__Response **out, char *err, size_t errlen)
{
    *out = NULL;
    int64_t deadline = deadline_from(timeout_ms);
    int r = dlp_client_send(c, req, err, errlen);
    if (r < 0)
        return r;
    if ((*out = stash_take(c, req->id)) != NULL)
        return DLP_CLIENT_OK;
    for (;;) {
        Dlp__V1__Response *resp;
        r = recv_wire(c, deadline, &resp, err, errlen);
        if (r < 0)
            return r;
        if (resp->id == req->id) {
            *out = resp;
            return DLP_CLIENT_OK;
        }
        if (stash_push(c, resp) < 0) {
            dlp_client_response_free(resp);
            return dlpcl_fail(DLP_CLIENT_ENOMEM, err, errlen, "keeping a pipelined response");
        }
    }
}

/* ------------------------------------------------------------------- names */

/*
 * Names by wire number: the numbers are the stable part of the protocol
 * (docs/protocol.md), the generated C identifiers are not.
 */
#define NAME_BY_NUMBER(table, v)                                                                   \
    ((unsigned)(v) < sizeof(table) / sizeof(table[0]) ? table[(unsigned)(v)] : "unspecified")

const char *dlp_client_action_name(Dlp__V1__Action a)
{
    static const char *const names[] = {"unspecified", "allow", "warn",
                                        "quarantine",  "block", "drop"};
    return NAME_BY_NUMBER(names, a);
}

const char *dlp_client_severity_name(Dlp__V1__Severity s)
{
    static const char *const names[] = {"unspecified", "low", "medium", "high", "critical"};
    return NAME_BY_NUMBER(names, s);
}

const char *dlp_client_class_name(Dlp__V1__RecipientClass c)
{
    static const char *const names[] = {"unspecified", "internal", "protected", "lookalike",
                                        "external"};
    return NAME_BY_NUMBER(names, c);
}

const char *dlp_client_source_name(Dlp__V1__RecipientSource s)
{
    static const char *const names[] = {"unspecified", "envelope", "to", "cc"};
    return NAME_BY_NUMBER(names, s);
}

const char *dlp_client_error_code_name(Dlp__V1__ErrorCode code)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&dlp__v1__error_code__descriptor, (int)code);
    return v ? v->name : "UNKNOWN";
}
