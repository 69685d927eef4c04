/*
 * Who the client is: CIDR lists of trusted proxies, and the client's
 * address from the peer and the forwarding headers its proxies added.
 * Headers are the client's own words except for the part a trusted proxy
 * appended, which is why they are read from the right and only as far as
 * the proxies one trusts.
 */
#include "client.h"
#include "text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The rightmost hops kept of a header; a chain of more trusted proxies
 * than this is not a deployment but an attack on the parser. */
#define HOPS_MAX     16
#define HOP_TEXT_MAX 128

typedef struct {
    client_address address[HOPS_MAX];
    int readable[HOPS_MAX];
    size_t total; /* hops seen; the last HOPS_MAX are kept */
} hops;

static size_t address_size(int family)
{
    return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int client_address_parse(const char *text, size_t len, client_address *out)
{
    char copy[CLIENT_TEXT_MAX + 1];
    memset(out, 0, sizeof(*out));
    if (len == 0 || len >= sizeof(copy))
        return -1;
    memcpy(copy, text, len);
    copy[len] = '\0';
    if (inet_pton(AF_INET, copy, out->bytes) == 1)
        out->family = AF_INET;
    else if (inet_pton(AF_INET6, copy, out->bytes) == 1)
        out->family = AF_INET6;
    else
        return -1;
    return 0;
}

/* A dual-stack socket sees an IPv4 client as ::ffff:a.b.c.d; one address
 * must have one form, or a proxy list of IPv4 ranges would miss it. */
static void unmap(client_address *a)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (a->family != AF_INET6 || memcmp(a->bytes, mapped, sizeof(mapped)) != 0)
        return;
    memmove(a->bytes, a->bytes + 12, 4);
    memset(a->bytes + 4, 0, 12);
    a->family = AF_INET;
}

static int prefix_matches(const unsigned char *a, const unsigned char *b, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)whole) != 0)
        return 0;
    if (!rest)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

static int host_bits_clear(const client_address *a, int prefix)
{
    size_t size = address_size(a->family);
    for (size_t bit = (size_t)prefix; bit < size * 8; bit++)
        if (a->bytes[bit / 8] & (0x80 >> (bit % 8)))
            return 0;
    return 1;
}

int client_cidr_parse(const char *text, size_t len, client_cidr *out, char *why, size_t why_size)
{
    const char *slash = memchr(text, '/', len);
    size_t address_len = slash ? (size_t)(slash - text) : len;
    if (client_address_parse(text, address_len, &out->address) != 0) {
        snprintf(why, why_size, "is not an address or address/prefix");
        return -1;
    }
    int max = (int)address_size(out->address.family) * 8;
    out->prefix = max;
    if (!slash)
        return 0;
    const char *digits = slash + 1;
    size_t digits_len = len - address_len - 1;
    int prefix = 0;
    for (size_t i = 0; i < digits_len; i++) {
        if (digits[i] < '0' || digits[i] > '9' || i >= 3) {
            digits_len = 0;
            break;
        }
        prefix = prefix * 10 + (digits[i] - '0');
    }
    if (!digits_len || prefix > max) {
        snprintf(why, why_size, "needs a prefix of 0 to %d bits after '/'", max);
        return -1;
    }
    if (!host_bits_clear(&out->address, prefix)) {
        snprintf(why, why_size, "has address bits set past its /%d", prefix);
        return -1;
    }
    out->prefix = prefix;
    return 0;
}

static int is_separator(char c)
{
    return c == ',' || c == ' ' || c == '\t';
}

int client_proxies_parse(const char *text, client_proxies *out, char *problem, size_t problem_size)
{
    memset(out, 0, sizeof(*out));
    for (const char *p = text; *p;) {
        while (is_separator(*p))
            p++;
        size_t len = 0;
        while (p[len] && !is_separator(p[len]))
            len++;
        if (!len)
            break;
        char why[96];
        if (out->count == CLIENT_PROXIES_MAX) {
            snprintf(problem, problem_size, "more than %d entries", CLIENT_PROXIES_MAX);
            return -1;
        }
        if (client_cidr_parse(p, len, &out->cidr[out->count], why, sizeof(why)) != 0) {
            snprintf(problem, problem_size, "'%.*s' %s", len > 64 ? 64 : (int)len, p, why);
            return -1;
        }
        out->count++;
        p += len;
    }
    return 0;
}

int client_proxies_match(const client_proxies *proxies, const client_address *address)
{
    for (size_t i = 0; i < proxies->count; i++) {
        const client_cidr *c = &proxies->cidr[i];
        if (c->address.family == address->family &&
            prefix_matches(c->address.bytes, address->bytes, c->prefix))
            return 1;
    }
    return 0;
}

void client_from_sockaddr(const struct sockaddr *peer, client_address *out)
{
    memset(out, 0, sizeof(*out));
    if (!peer)
        return;
    if (peer->sa_family == AF_INET) {
        out->family = AF_INET;
        memcpy(out->bytes, &((const struct sockaddr_in *)(const void *)peer)->sin_addr, 4);
    } else if (peer->sa_family == AF_INET6) {
        out->family = AF_INET6;
        memcpy(out->bytes, &((const struct sockaddr_in6 *)(const void *)peer)->sin6_addr, 16);
        unmap(out);
    }
}

static int all_digits(const char *s, size_t len)
{
    if (len == 0 || len > 5)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* One hop as proxies write it: 192.0.2.1, 192.0.2.1:4711, 2001:db8::1,
 * [2001:db8::1] or [2001:db8::1]:4711. */
static int hop_parse(const char *s, size_t len, client_address *out)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    const char *colon = memchr(s, ':', len);
    if (len && *s == '[') {
        const char *close = memchr(s, ']', len);
        if (!close)
            return -1;
        size_t after = len - (size_t)(close - s) - 1;
        if (after && (close[1] != ':' || !all_digits(close + 2, after - 1)))
            return -1;
        if (client_address_parse(s + 1, (size_t)(close - s) - 1, out) != 0 ||
            out->family != AF_INET6)
            return -1;
    } else if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - s) - 1)) {
        size_t port = len - (size_t)(colon - s) - 1;
        if (!all_digits(colon + 1, port) ||
            client_address_parse(s, (size_t)(colon - s), out) != 0 || out->family != AF_INET)
            return -1;
    } else if (client_address_parse(s, len, out) != 0) {
        return -1;
    }
    unmap(out);
    return 0;
}

static void hops_add(hops *h, const char *text, size_t len)
{
    size_t at = h->total++ % HOPS_MAX;
    h->readable[at] = text && hop_parse(text, len, &h->address[at]) == 0;
}

static void read_x_forwarded_for(const char *value, hops *h)
{
    const char *p = value, *comma;
    while ((comma = strchr(p, ',')) != NULL) {
        hops_add(h, p, (size_t)(comma - p));
        p = comma + 1;
    }
    hops_add(h, p, strlen(p));
}

static int is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* A pair's value, a token or a quoted string, into `out`; NULL when it is
 * neither or does not fit. */
static const char *read_value(const char *p, char *out, size_t size, size_t *len)
{
    *len = 0;
    if (*p != '"') {
        while (is_tchar(*p) || *p == ':' || *p == '[' || *p == ']') {
            if (*len + 1 >= size)
                return NULL;
            out[(*len)++] = *p++;
        }
        return *len ? p : NULL;
    }
    for (p++; *p != '"'; p++) {
        if (*p == '\\')
            p++;
        if (!*p || *len + 1 >= size)
            return NULL;
        out[(*len)++] = *p;
    }
    return p + 1;
}

/* One element of Forwarded, "for=...;proto=...": its `for` as a hop.
 * NULL on a syntax error. */
static const char *read_element(const char *p, hops *h)
{
    char value[HOP_TEXT_MAX], hop[HOP_TEXT_MAX];
    size_t hop_len = 0;
    int found = 0;
    for (;;) {
        p = skip_space(p);
        const char *name = p;
        while (is_tchar(*p))
            p++;
        size_t name_len = (size_t)(p - name), len = 0;
        if (!name_len || *p != '=' || !(p = read_value(p + 1, value, sizeof(value), &len)))
            return NULL;
        if (name_len == 3 && strncasecmp(name, "for", 3) == 0) {
            if (found++)
                return NULL;
            memcpy(hop, value, len);
            hop_len = len;
        }
        p = skip_space(p);
        if (*p != ';')
            break;
        p++;
    }
    hops_add(h, found ? hop : NULL, hop_len);
    return p;
}

static int read_forwarded(const char *value, hops *h)
{
    const char *p = skip_space(value);
    while (*p) {
        if (*p == ',') { /* an empty element, which the list syntax allows */
            p = skip_space(p + 1);
            continue;
        }
        if (!(p = read_element(p, h)))
            return -1;
        if (*p && *p != ',')
            return -1;
    }
    return 0;
}

/* The rightmost hop that is not a trusted proxy, else the leftmost; the
 * peer when a hop on the way cannot be read. */
static void follow_hops(const client_proxies *trusted, const client_address *peer, const hops *h,
                        client_address *out)
{
    *out = *peer;
    size_t kept = h->total < HOPS_MAX ? h->total : HOPS_MAX;
    for (size_t k = 0; k < kept; k++) {
        size_t at = (h->total - 1 - k) % HOPS_MAX;
        if (!h->readable[at]) {
            *out = *peer;
            return;
        }
        *out = h->address[at];
        if (!client_proxies_match(trusted, out))
            return;
    }
}

static int same_address(const client_address *a, const client_address *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, address_size(a->family)) == 0;
}

void client_resolve(const client_proxies *trusted, const client_address *peer,
                    const char *const *forwarded, size_t forwarded_count,
                    const char *const *x_forwarded_for, size_t x_forwarded_for_count,
                    client_address *out)
{
    *out = *peer;
    if (!peer->family || !client_proxies_match(trusted, peer))
        return;
    hops h;
    memset(&h, 0, sizeof(h));
    client_address by_forwarded = *peer, by_x_forwarded_for = *peer;
    int readable = 1;
    for (size_t i = 0; i < forwarded_count; i++)
        readable = readable && read_forwarded(forwarded[i], &h) == 0;
    if (readable)
        follow_hops(trusted, peer, &h, &by_forwarded);
    memset(&h, 0, sizeof(h));
    for (size_t i = 0; i < x_forwarded_for_count; i++)
        read_x_forwarded_for(x_forwarded_for[i], &h);
    follow_hops(trusted, peer, &h, &by_x_forwarded_for);
    /* A proxy sets one of the two and passes the other on as the client
     * sent it, and which one is not written anywhere: when both name a
     * client and the clients differ, neither is believed. */
    if (!forwarded_count)
        *out = by_x_forwarded_for;
    else if (!x_forwarded_for_count || same_address(&by_forwarded, &by_x_forwarded_for))
        *out = by_forwarded;
}

void client_address_text(const client_address *address, char *out, size_t size)
{
    char text[CLIENT_TEXT_MAX];
    if (!address->family || !inet_ntop(address->family, address->bytes, text, sizeof(text)))
        text[0] = '\0';
    text_copy(out, size, text);
}

void client_network_text(const client_address *address, char *out, size_t size)
{
    const unsigned char *a = address->bytes;
    if (address->family == AF_INET && size >= sizeof("255.255.255.0/24")) {
        char *at = out;
        for (int i = 0; i < 3; i++) {
            at = text_digits(at, a[i], 1);
            *at++ = '.';
        }
        text_copy(at, 5, "0/24");
    } else if (address->family == AF_INET6) {
        snprintf(out, size, "%02x%02x:%02x%02x:%02x%02x::/48", a[0], a[1], a[2], a[3], a[4], a[5]);
    } else if (size) {
        out[0] = '\0';
    }
}
