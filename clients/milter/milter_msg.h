/*
 * milter_msg.h - what dlp-milter collects about one SMTP connection and the
 * message in progress: client address, HELO, MAIL FROM, the RCPT TO list and
 * the raw RFC 5322 message, reassembled as "Name:value CRLF" per header as
 * received, a blank line, then the body, up to a byte cap.
 *
 * One milter_conn_t per SMTP connection (libmilter private data); libmilter
 * never runs two callbacks of one connection at the same time, so no locks.
 * milter_conn_reset_message() wipes the message between transactions; the
 * buffer is zeroed before it is freed because it holds message content.
 */
#ifndef DLP_MILTER_MSG_H
#define DLP_MILTER_MSG_H

#include <stddef.h>
#include <stdint.h>

typedef struct milter_rcpt {
    char *raw;     /* as given to RCPT TO, "<a@b>": smfi_delrcpt wants it so */
    char *address; /* without the angle brackets */
    int lookalike; /* the local check classified it as a look-alike */
    char *notice;  /* "army.ml looks like army.mil - check the address", or NULL */
} milter_rcpt_t;

typedef struct milter_conn {
    char *client_address;
    char *helo;
    /* the message in progress */
    char *mail_from;
    milter_rcpt_t *rcpts;
    size_t n_rcpts, cap_rcpts;
    uint8_t *msg;
    size_t len, cap, max; /* max: bytes kept; more marks the message truncated */
    int truncated;
    int body_started;      /* the blank line after the headers was written */
    int forged_headers[3]; /* X-DLP-Action/-Score/-Rules headers that came in with it */
    void *client;          /* dlp_client_t kept across messages of this connection */
    size_t endpoint;       /* the endpoint 'client' is connected to */
} milter_conn_t;

/* The headers dlp-milter adds; incoming copies are removed (forged_headers). */
extern const char *const milter_dlp_headers[3];

milter_conn_t *milter_conn_new(size_t max_message_bytes);
void milter_conn_free(milter_conn_t *c); /* accepts NULL; frees the dlp client too */
void milter_conn_reset_message(milter_conn_t *c);

/* Each returns 0, or -1 on out of memory. Bytes over the cap are dropped. */
int milter_conn_set(char **field, const char *value);
int milter_conn_add_rcpt(milter_conn_t *c, const char *raw, int lookalike, const char *notice);
int milter_conn_add_header(milter_conn_t *c, const char *name, const char *value, int leadspc);
int milter_conn_end_headers(milter_conn_t *c);
int milter_conn_add_body(milter_conn_t *c, const uint8_t *chunk, size_t len);

/* "<a@b>" -> "a@b" (malloc'd); strips one pair of brackets and surrounding blanks. */
char *milter_strip_address(const char *raw);

#endif
