/*
 * dlp-milter.c - the Postfix/Sendmail bridge to dlpd.
 *
 * libmilter calls us per SMTP event on its own threads, one thread at a time
 * per connection. We collect the envelope (client address, HELO, MAIL FROM,
 * RCPT TO) and the raw message (milter_msg.c), check each recipient for a
 * look-alike domain at RCPT time without dlpd (milter_rcpt.c), and at end of
 * message ask dlpd for a verdict (milter_scan.c) and apply it:
 *
 *   BLOCK        550 5.7.1 with the sender notice
 *   QUARANTINE   smfi_quarantine with the reason, plus the X-DLP headers
 *   WARN, ALLOW  X-DLP-Action / X-DLP-Score / X-DLP-Rules headers
 *   DROP (rcpt)  smfi_delrcpt for that recipient; the others get the message
 *   no answer    --on-error: 451 4.7.1 (default), accept or 550; a message to
 *                a recipient the local check calls a look-alike is refused
 *                whatever --on-error says
 *
 * The options and the look-alike domain index are the only process-wide
 * state (libmilter callbacks carry no user pointer); both are built before
 * smfi_main() and only read afterwards. Logs carry queue ids, actions,
 * scores, rule ids and sizes, never message content.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "milter_msg.h"
#include "milter_opts.h"
#include "milter_rcpt.h"
#include "milter_scan.h"

/* Actions we may take at end of message, and protocol steps we can skip. */
#define WANT_ACTIONS  (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_DELRCPT | SMFIF_QUARANTINE)
#define WANT_PROTOCOL (SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_HDR_LEADSPC | SMFIP_SKIP)

#define INCOMPLETE_HEADER "X-DLP-Incomplete"

static milter_opts_t g_opts;
static milter_domains_t *g_domains;

/* Per-connection protocol facts from negotiation (kept beside milter_conn_t). */
typedef struct conn_priv {
    milter_conn_t *c;
    int leadspc; /* headers come with their leading space */
    int can_skip;
} conn_priv_t;

__attribute__((format(printf, 2, 3))) static void logmsg(const char *level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    fprintf(stderr, "dlp-milter: %s: %s\n", level, buf);
}

static conn_priv_t *priv_get(SMFICTX *ctx, int create)
{
    conn_priv_t *p = smfi_getpriv(ctx);
    if (p || !create)
        return p;
    p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->c = milter_conn_new(g_opts.max_message_bytes);
    if (!p->c || smfi_setpriv(ctx, p) != MI_SUCCESS) {
        milter_conn_free(p->c);
        free(p);
        return NULL;
    }
    return p;
}

/* Sets an SMTP reply; 'text' is made safe for SMTP and libmilter. */
static void set_reply(SMFICTX *ctx, const char *rcode, const char *xcode, const char *text)
{
    char safe[512];
    milter_reply_text(text, safe, sizeof(safe));
    if (smfi_setreply(ctx, (char *)rcode, (char *)xcode, safe) != MI_SUCCESS)
        logmsg("warning", "smfi_setreply %s %s failed", rcode, xcode);
}

static sfsistat oom(SMFICTX *ctx)
{
    logmsg("error", "out of memory");
    set_reply(ctx, "451", "4.3.0", "Temporary local problem, try again later");
    return SMFIS_TEMPFAIL;
}

/* ------------------------------------------------------------ callbacks */

static sfsistat on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
                             unsigned long f3, unsigned long *pf0, unsigned long *pf1,
                             unsigned long *pf2, unsigned long *pf3)
{
    conn_priv_t *p = priv_get(ctx, 1);
    if (!p)
        return SMFIS_REJECT;
    if ((f0 & WANT_ACTIONS) != WANT_ACTIONS)
        logmsg("warning", "the MTA does not offer every action (offered 0x%lx, want 0x%x)", f0,
               (unsigned)WANT_ACTIONS);
    *pf0 = f0 & WANT_ACTIONS;
    *pf1 = f1 & WANT_PROTOCOL;
    *pf2 = 0;
    *pf3 = 0;
    p->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
    p->can_skip = (*pf1 & SMFIP_SKIP) != 0;
    return SMFIS_CONTINUE;
}

static sfsistat on_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
    conn_priv_t *p = priv_get(ctx, 1);
    if (!p)
        return oom(ctx);
    char addr[INET6_ADDRSTRLEN] = "";
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr, addr, sizeof(addr));
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->sin6_addr, addr, sizeof(addr));
    return milter_conn_set(&p->c->client_address, addr) < 0 ? oom(ctx) : SMFIS_CONTINUE;
}

static sfsistat on_helo(SMFICTX *ctx, char *helo)
{
    conn_priv_t *p = priv_get(ctx, 1);
    if (!p || milter_conn_set(&p->c->helo, helo) < 0)
        return oom(ctx);
    return SMFIS_CONTINUE;
}

static sfsistat on_envfrom(SMFICTX *ctx, char **argv)
{
    conn_priv_t *p = priv_get(ctx, 1);
    if (!p)
        return oom(ctx);
    milter_conn_reset_message(p->c);
    p->c->mail_from = milter_strip_address(argv[0] ? argv[0] : "");
    return p->c->mail_from ? SMFIS_CONTINUE : oom(ctx);
}

static sfsistat on_envrcpt(SMFICTX *ctx, char **argv)
{
    conn_priv_t *p = priv_get(ctx, 1);
    if (!p || !argv[0])
        return p ? SMFIS_CONTINUE : oom(ctx);
    char *address = milter_strip_address(argv[0]);
    if (!address)
        return oom(ctx);
    char notice[512] = "";
    milter_rcpt_class_t cls = MILTER_RCPT_UNKNOWN;
    /* Locally it is cheap, so always look; asking dlpd only when we would refuse. */
    if (g_domains || g_opts.refuse_lookalike_rcpt)
        cls = milter_rcpt_classify(g_domains, p->c, &g_opts, address, notice, sizeof(notice));
    free(address);
    if (cls == MILTER_RCPT_LOOKALIKE && g_opts.refuse_lookalike_rcpt) {
        logmsg("notice", "refused a look-alike recipient at RCPT TO");
        set_reply(ctx, "550", "5.1.1", notice);
        return SMFIS_REJECT; /* this recipient only */
    }
    int lookalike = cls == MILTER_RCPT_LOOKALIKE;
    if (milter_conn_add_rcpt(p->c, argv[0], lookalike, lookalike ? notice : NULL) < 0)
        return oom(ctx);
    return SMFIS_CONTINUE;
}

static sfsistat on_header(SMFICTX *ctx, char *name, char *value)
{
    conn_priv_t *p = priv_get(ctx, 0);
    if (!p)
        return SMFIS_CONTINUE;
    if (milter_conn_add_header(p->c, name, value ? value : "", p->leadspc) < 0)
        return oom(ctx);
    return SMFIS_CONTINUE;
}

static sfsistat on_eoh(SMFICTX *ctx)
{
    conn_priv_t *p = priv_get(ctx, 0);
    if (p && milter_conn_end_headers(p->c) < 0)
        return oom(ctx);
    return SMFIS_CONTINUE;
}

static sfsistat on_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
    conn_priv_t *p = priv_get(ctx, 0);
    if (!p)
        return SMFIS_CONTINUE;
    if (milter_conn_add_body(p->c, chunk, len) < 0)
        return oom(ctx);
    /* Over the cap: the rest of the body is of no use to us. */
    return p->c->truncated && p->can_skip ? SMFIS_SKIP : SMFIS_CONTINUE;
}

/* Removes X-DLP-* headers that arrived with the message: only we set them. */
static void remove_forged(SMFICTX *ctx, milter_conn_t *c)
{
    for (size_t i = 0; i < 3; i++)
        for (int k = c->forged_headers[i]; k >= 1; k--)
            smfi_chgheader(ctx, (char *)milter_dlp_headers[i], k, NULL);
}

/*
 * With SMFIP_HDR_LEADSPC negotiated the MTA adds nothing after the colon, so
 * the value carries its own leading space ("X-DLP-Action: allow").
 */
static void add_header(SMFICTX *ctx, const char *name, const char *value)
{
    conn_priv_t *p = smfi_getpriv(ctx);
    char spaced[1024];
    if (p && p->leadspc) {
        snprintf(spaced, sizeof(spaced), " %s", value);
        value = spaced;
    }
    if (smfi_addheader(ctx, (char *)name, (char *)value) != MI_SUCCESS)
        logmsg("warning", "smfi_addheader %s failed", name);
}

/* The first local look-alike recipient, for refusing while dlpd is down. */
static const milter_rcpt_t *local_lookalike(const milter_conn_t *c)
{
    for (size_t i = 0; i < c->n_rcpts; i++)
        if (c->rcpts[i].lookalike)
            return &c->rcpts[i];
    return NULL;
}

static sfsistat scan_failed(SMFICTX *ctx, milter_conn_t *c, const char *qid, const char *why)
{
    const milter_rcpt_t *la = local_lookalike(c);
    logmsg("warning", "%s: dlpd unavailable (%s); on-error %s%s", qid, why,
           milter_on_error_name(g_opts.on_error), la ? ", look-alike recipient: refused" : "");
    if (la) {
        set_reply(ctx, "550", "5.7.1", la->notice ? la->notice : "look-alike recipient");
        return SMFIS_REJECT;
    }
    switch (g_opts.on_error) {
    case MILTER_ON_ERROR_ACCEPT:
        add_header(ctx, "X-DLP-Action", "unscanned");
        return SMFIS_CONTINUE;
    case MILTER_ON_ERROR_REJECT:
        set_reply(ctx, "550", "5.7.1", "Message refused: content scanning is unavailable");
        return SMFIS_REJECT;
    case MILTER_ON_ERROR_TEMPFAIL:
        break;
    }
    set_reply(ctx, "451", "4.7.1", "Content scanning is unavailable, try again later");
    return SMFIS_TEMPFAIL;
}

/* Removes the recipients dlpd dropped; returns how many, -1 when all were. */
static int drop_recipients(SMFICTX *ctx, milter_conn_t *c, const Dlp__V1__ScanResponse *s)
{
    int dropped = 0;
    for (size_t i = 0; i < c->n_rcpts; i++) {
        for (size_t j = 0; j < s->n_recipients; j++) {
            const Dlp__V1__RecipientResult *rr = s->recipients[j];
            if (rr->action != DLP__V1__ACTION__DROP ||
                rr->source != DLP__V1__RECIPIENT_SOURCE__SOURCE_ENVELOPE || !rr->address ||
                strcasecmp(rr->address, c->rcpts[i].address) != 0)
                continue;
            if (smfi_delrcpt(ctx, c->rcpts[i].raw) != MI_SUCCESS)
                logmsg("warning", "smfi_delrcpt failed");
            dropped++;
            break;
        }
    }
    return c->n_rcpts && (size_t)dropped == c->n_rcpts ? -1 : dropped;
}

static sfsistat on_eom(SMFICTX *ctx)
{
    conn_priv_t *p = priv_get(ctx, 0);
    if (!p)
        return SMFIS_CONTINUE;
    milter_conn_t *c = p->c;
    const char *qid = smfi_getsymval(ctx, "i");
    if (!qid)
        qid = "-";
    remove_forged(ctx, c);

    const char **rcpts = calloc(c->n_rcpts ? c->n_rcpts : 1, sizeof(*rcpts));
    if (!rcpts)
        return oom(ctx);
    for (size_t i = 0; i < c->n_rcpts; i++)
        rcpts[i] = c->rcpts[i].address;
    Dlp__V1__Response *r;
    char err[512];
    int rc = milter_scan(c, &g_opts, qid, rcpts, c->n_rcpts, 0, &r, err, sizeof(err));
    free(rcpts);
    if (rc < 0)
        return scan_failed(ctx, c, qid, err);

    const Dlp__V1__ScanResponse *s = r->scan;
    char rules[900], score[16];
    milter_rule_list(s, rules, sizeof(rules));
    snprintf(score, sizeof(score), "%u", s->score);
    const char *action = dlp_client_action_name(s->action);
    int incomplete = c->truncated || s->n_incomplete > 0;
    sfsistat ret = SMFIS_CONTINUE;
    int dropped = 0;
    if (s->action == DLP__V1__ACTION__BLOCK) {
        set_reply(ctx, "550", "5.7.1",
                  s->notice && *s->notice ? s->notice : "Message refused by data loss prevention");
        ret = SMFIS_REJECT;
    } else if ((dropped = drop_recipients(ctx, c, s)) < 0) {
        set_reply(ctx, "550", "5.7.1",
                  s->notice && *s->notice ? s->notice : "No recipient may receive this message");
        ret = SMFIS_REJECT;
    } else {
        if (s->action == DLP__V1__ACTION__QUARANTINE) {
            char reason[1024];
            snprintf(reason, sizeof(reason), "dlpd: quarantine, score %u, rules %s", s->score,
                     *rules ? rules : "none");
            if (smfi_quarantine(ctx, reason) != MI_SUCCESS)
                logmsg("warning", "%s: smfi_quarantine failed", qid);
        }
        add_header(ctx, "X-DLP-Action", action);
        add_header(ctx, "X-DLP-Score", score);
        if (*rules)
            add_header(ctx, "X-DLP-Rules", rules);
        if (incomplete)
            add_header(ctx, INCOMPLETE_HEADER, c->truncated ? "max-message-bytes" : "limits");
    }
    if (g_opts.verbose || s->action != DLP__V1__ACTION__ALLOW || dropped || incomplete)
        logmsg("info", "%s: %s score=%u rcpts=%zu dropped=%d bytes=%zu%s rules=%s", qid, action,
               s->score, c->n_rcpts, dropped < 0 ? (int)c->n_rcpts : dropped, c->len,
               incomplete ? " incomplete" : "", *rules ? rules : "-");
    dlp_client_response_free(r);
    milter_conn_reset_message(c);
    return ret;
}

static sfsistat on_abort(SMFICTX *ctx)
{
    conn_priv_t *p = priv_get(ctx, 0);
    if (p)
        milter_conn_reset_message(p->c);
    return SMFIS_CONTINUE;
}

static sfsistat on_close(SMFICTX *ctx)
{
    conn_priv_t *p = priv_get(ctx, 0);
    if (p) {
        milter_conn_free(p->c);
        free(p);
        smfi_setpriv(ctx, NULL);
    }
    return SMFIS_CONTINUE;
}

/* ----------------------------------------------------------------- main */

/* TLS settings for tls: endpoints, read and checked once at startup. */
static int make_tls(milter_opts_t *o)
{
    char err[512];
    if (dlp_client_tls_new(o->tls_ca, o->tls_cert, o->tls_key, o->tls_server_name, &o->tls, err,
                           sizeof(err)) < 0) {
        logmsg("error", "%s", err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int rc = milter_opts_parse(argc, argv, &g_opts);
    if (rc != 0)
        return rc > 0 ? 0 : 64;
    signal(SIGPIPE, SIG_IGN);
    if (g_opts.tls_ca && make_tls(&g_opts) < 0)
        return 1;
    if (g_opts.domains_file && milter_domains_load(g_opts.domains_file, &g_domains) < 0) {
        dlp_client_tls_free(g_opts.tls);
        return 1;
    }
    if (!g_domains && g_opts.refuse_lookalike_rcpt)
        logmsg("warning", "no --domains: the RCPT look-alike check asks dlpd and is off while "
                          "dlpd is down");

    struct smfiDesc desc = {
        .xxfi_name = "dlp-milter",
        .xxfi_version = SMFI_VERSION,
        .xxfi_flags = WANT_ACTIONS,
        .xxfi_connect = on_connect,
        .xxfi_helo = on_helo,
        .xxfi_envfrom = on_envfrom,
        .xxfi_envrcpt = on_envrcpt,
        .xxfi_header = on_header,
        .xxfi_eoh = on_eoh,
        .xxfi_body = on_body,
        .xxfi_eom = on_eom,
        .xxfi_abort = on_abort,
        .xxfi_close = on_close,
        .xxfi_negotiate = on_negotiate,
    };
    if (smfi_setconn((char *)g_opts.milter_socket) != MI_SUCCESS ||
        smfi_settimeout(g_opts.milter_timeout_s) != MI_SUCCESS ||
        smfi_register(desc) != MI_SUCCESS) {
        logmsg("error", "cannot set up libmilter on %s", g_opts.milter_socket);
        milter_domains_free(g_domains);
        dlp_client_tls_free(g_opts.tls);
        return 1;
    }
    /* Removes a stale unix socket left by a previous run. */
    if (smfi_opensocket(1) != MI_SUCCESS) {
        logmsg("error", "cannot listen on %s", g_opts.milter_socket);
        milter_domains_free(g_domains);
        dlp_client_tls_free(g_opts.tls);
        return 1;
    }
    logmsg("info", "listening on %s, %zu dlpd endpoint(s), on-error %s, look-alike RCPT check %s",
           g_opts.milter_socket, g_opts.n_endpoints, milter_on_error_name(g_opts.on_error),
           g_opts.refuse_lookalike_rcpt ? (g_domains ? "local" : "via dlpd") : "off");
    rc = smfi_main();
    milter_domains_free(g_domains);
    dlp_client_tls_free(g_opts.tls);
    return rc == MI_SUCCESS ? 0 : 1;
}
