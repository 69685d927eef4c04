/*
 * E-mail: addresses as the service accepts them, and the messages it sends
 * through an SMTP server with libcurl.
 */
#ifndef OCOPTRACE_MAIL_H
#define OCOPTRACE_MAIL_H

#include "config.h"

#include <stddef.h>
#include <time.h>

#define MAIL_ADDRESS_MAX 254 /* RFC 5321's limit on a path */

/* Whether `address` is one mailbox, local@domain, with nothing a header or
 * an SMTP command could be split on (no spaces, controls, angle brackets,
 * commas, quotes): 1 or 0. */
int mail_address_valid(const char *address);

/* What the host part of Message-IDs is: the domain of `address` (the
 * sender's), or "localhost" when it has none. */
const char *mail_domain(const char *address);

/* One message: UTF-8 subject and plain-text body; the Message-ID, with
 * its angle brackets, stays the same on every attempt so that a receiver
 * can drop a repeat. */
typedef struct {
    const char *recipient, *subject, *body, *message_id;
} mail_message;

/* The message's complete RFC 5322 text from `from` dated `date`: the
 * subject as RFC 2047 encoded words, the body base64 in UTF-8, CRLF line
 * ends. malloc'd; NULL when out of memory. */
char *mail_compose(const char *from, const mail_message *m, time_t date);

typedef enum {
    MAIL_SENT,    /* the server accepted it */
    MAIL_RETRY,   /* not sent: no connection, TLS refused, a 4xx, a timeout */
    MAIL_REFUSED, /* the server refused the recipient for good (5xx) */
} mail_outcome;

/* Sends over the SMTP server of `[mail]` with libcurl, one connection kept
 * between messages. */
typedef struct mail_sender mail_sender;
/* NULL when out of memory or libcurl cannot start. */
mail_sender *mail_sender_new(const config *c);
void mail_sender_free(mail_sender *s);
/* One attempt: the outcome, and in `error` why it was not sent with the
 * server's reply when there was one. */
mail_outcome mail_send(mail_sender *s, const mail_message *m, char *error, size_t size);

#endif
