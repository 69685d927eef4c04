/*
 * Who the client is: an address and its network, taken from the socket's
 * peer, or, only when that peer is a trusted proxy, from the forwarding
 * headers it added (Forwarded, RFC 7239, or X-Forwarded-For). No
 * libmicrohttpd here, so that the unit tests call it directly.
 */
#ifndef OCOPTRACE_CLIENT_H
#define OCOPTRACE_CLIENT_H

#include <stddef.h>
#include <sys/socket.h>

#define CLIENT_PROXIES_MAX 32
#define CLIENT_TEXT_MAX    46 /* INET6_ADDRSTRLEN */
#define CLIENT_NETWORK_MAX 48

/* An IPv4 (4 bytes) or IPv6 (16 bytes) address; family 0: none known. */
typedef struct {
    int family;
    unsigned char bytes[16];
} client_address;

typedef struct {
    client_address address;
    int prefix; /* leading bits that must match */
} client_cidr;

typedef struct {
    size_t count;
    client_cidr cidr[CLIENT_PROXIES_MAX];
} client_proxies;

/* An address as text ("192.0.2.1", "2001:db8::1"): 0, or -1. */
int client_address_parse(const char *text, size_t len, client_address *out);
/* "ADDRESS/PREFIX", or an address alone (one host): 0, or -1 with why in
 * `why` (bits past the prefix set, a prefix too long, not an address). */
int client_cidr_parse(const char *text, size_t len, client_cidr *out, char *why, size_t why_size);
/* A comma or space separated list of CIDRs: 0, or -1 with the first bad
 * entry and why in `problem`. */
int client_proxies_parse(const char *text, client_proxies *out, char *problem, size_t problem_size);
int client_proxies_match(const client_proxies *proxies, const client_address *address);

/* The socket's address; IPv4 mapped into IPv6 (a dual-stack socket's
 * peers) becomes IPv4 again. */
void client_from_sockaddr(const struct sockaddr *peer, client_address *out);

/* The client behind `peer`. Only a trusted peer's headers are read (all
 * lines of each, in order): of the addresses Forwarded, or X-Forwarded-For,
 * lists, the rightmost that is not a trusted proxy, or the leftmost when
 * all are; a value that cannot be read on the way gives the peer itself,
 * and so do both headers when they name different clients. */
void client_resolve(const client_proxies *trusted, const client_address *peer,
                    const char *const *forwarded, size_t forwarded_count,
                    const char *const *x_forwarded_for, size_t x_forwarded_for_count,
                    client_address *out);

/* "192.0.2.1"; empty when none is known. */
void client_address_text(const client_address *address, char *out, size_t size);
/* The network scans are counted by: "192.0.2.0/24", or the /48 of IPv6
 * ("2001:0db8:0000::/48"); empty when none is known. */
void client_network_text(const client_address *address, char *out, size_t size);

#endif
