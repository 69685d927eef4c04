/*
 * E-mail: addresses as the service accepts them, and the messages it sends
 * through an SMTP server with libcurl.
 */
#ifndef OCOPTRACE_MAIL_H
#define OCOPTRACE_MAIL_H

#define MAIL_ADDRESS_MAX 254 /* RFC 5321's limit on a path */

/* Whether `address` is one mailbox, local@domain, with nothing a header or
 * an SMTP command could be split on (no spaces, controls, angle brackets,
 * commas, quotes): 1 or 0. */
int mail_address_valid(const char *address);

#endif
