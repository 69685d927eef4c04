/*
 * E-mail addresses as the service keeps them: one plain mailbox each, so
 * that an address can go into an SMTP command and a header as it is.
 */
#include "mail.h"

#include <string.h>

/* Letters, digits and the punctuation RFC 5322 allows unquoted in a local
 * part, less what headers or commands would split on. */
static int local_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL;
}

static int domain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

int mail_address_valid(const char *address)
{
    size_t len = strnlen(address, MAIL_ADDRESS_MAX + 1);
    const char *at = strrchr(address, '@');
    if (len == 0 || len > MAIL_ADDRESS_MAX || !at || at == address || at[1] == '\0')
        return 0;
    for (const char *p = address; p < at; p++)
        if (!local_char((unsigned char)*p) || *p == '\'')
            return 0;
    const char *domain = at + 1;
    if (!strchr(domain, '.') || domain[0] == '.' || domain[0] == '-' ||
        domain[strlen(domain) - 1] == '.' || strstr(domain, ".."))
        return 0;
    for (const char *p = domain; *p; p++)
        if (!domain_char((unsigned char)*p))
            return 0;
    return address[0] != '.' && at[-1] != '.';
}
