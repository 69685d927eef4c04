/*
 * Who the client is (service/client.c): trusted proxy lists, and the
 * client's address from the peer and its forwarding headers, spoofed ones
 * included.
 */
#include "../../service/client.h"
#include "check.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static void test_proxies_parse(void)
{
    static const struct {
        const char *text;
        int ok;
        size_t count;
        const char *problem; /* the message, when refused */
    } cases[] = {
        {"", 1, 0, NULL},
        {"127.0.0.1/32, ::1/128, 10.0.0.0/8", 1, 3, NULL},
        {"10.0.0.0/8 192.168.0.0/16,,\t172.16.0.0/12", 1, 3, NULL},
        {"198.51.100.7", 1, 1, NULL},
        {"2001:db8::/32", 1, 1, NULL},
        {"0.0.0.0/0", 1, 1, NULL},
        {"10.0.0.1/8", 0, 0, "'10.0.0.1/8' has address bits set past its /8"},
        {"10.0.0.0/33", 0, 0, "'10.0.0.0/33' needs a prefix of 0 to 32 bits after '/'"},
        {"::1/129", 0, 0, "'::1/129' needs a prefix of 0 to 128 bits after '/'"},
        {"10.0.0.0/", 0, 0, "'10.0.0.0/' needs a prefix of 0 to 32 bits after '/'"},
        {"10.0.0.0/8x", 0, 0, "'10.0.0.0/8x' needs a prefix of 0 to 32 bits after '/'"},
        {"10.0.0.0/0008", 0, 0, "'10.0.0.0/0008' needs a prefix of 0 to 32 bits after '/'"},
        {"127.0.0.1/32; ::1", 0, 0, "'127.0.0.1/32;' needs a prefix of 0 to 32 bits after '/'"},
        {"localhost", 0, 0, "'localhost' is not an address or address/prefix"},
        {"10.0.0.256/32", 0, 0, "'10.0.0.256/32' is not an address or address/prefix"},
        {"::1, fe80::1%eth0", 0, 0, "'fe80::1%eth0' is not an address or address/prefix"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        client_proxies p;
        char problem[160] = "";
        int ok = client_proxies_parse(cases[i].text, &p, problem, sizeof(problem)) == 0;
        CHECK(ok == cases[i].ok, "proxies '%s': accepted %d, want %d (%s)", cases[i].text, ok,
              cases[i].ok, problem);
        if (ok && cases[i].ok)
            CHECK(p.count == cases[i].count, "proxies '%s': %zu entries, want %zu", cases[i].text,
                  p.count, cases[i].count);
        if (!cases[i].ok)
            CHECK_STR(problem, cases[i].problem, "proxies '%s': the problem", cases[i].text);
    }
    char many[2048] = "";
    for (int i = 0; i <= CLIENT_PROXIES_MAX; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "10.0.%d.0/24 ", i);
    client_proxies p;
    char problem[160] = "";
    CHECK(client_proxies_parse(many, &p, problem, sizeof(problem)) != 0, "too many entries");
    CHECK_STR(problem, "more than 32 entries", "too many entries: the problem");
}

static void test_proxies_match(void)
{
    static const struct {
        const char *proxies, *address;
        int match;
    } cases[] = {
        {"10.0.0.0/8", "10.255.1.2", 1},
        {"10.0.0.0/8", "11.0.0.1", 0},
        {"192.168.4.0/22", "192.168.7.255", 1},
        {"192.168.4.0/22", "192.168.8.0", 0},
        {"127.0.0.1", "127.0.0.1", 1},
        {"127.0.0.1", "127.0.0.2", 0},
        {"0.0.0.0/0", "203.0.113.9", 1},
        {"0.0.0.0/0", "2001:db8::1", 0}, /* a family matches only itself */
        {"::/0", "10.0.0.1", 0},
        {"::1/128", "::1", 1},
        {"2001:db8:abcd::/48", "2001:db8:abcd:ffff::1", 1},
        {"2001:db8:abcd::/48", "2001:db8:abce::1", 0},
        {"2001:db8::/31", "2001:db9::1", 1},
        {"2001:db8::/32", "2001:db9::1", 0},
        {"", "127.0.0.1", 0},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        client_proxies p;
        client_address a;
        char problem[160];
        CHECK(client_proxies_parse(cases[i].proxies, &p, problem, sizeof(problem)) == 0 &&
                  client_address_parse(cases[i].address, strlen(cases[i].address), &a) == 0,
              "match case %zu reads", i);
        CHECK(client_proxies_match(&p, &a) == cases[i].match, "'%s' in '%s': want %d",
              cases[i].address, cases[i].proxies, cases[i].match);
    }
}

#define TRUSTED "127.0.0.1/32, ::1/128, 10.0.0.0/8"

static void test_resolve(void)
{
    static const struct {
        const char *why, *peer;
        const char *forwarded[2], *x_forwarded_for[2];
        const char *client, *network;
    } cases[] = {
        {"no headers: the peer", "203.0.113.5", {0}, {0}, "203.0.113.5", "203.0.113.0/24"},
        {"an untrusted peer's XFF is ignored",
         "203.0.113.5",
         {0},
         {"198.51.100.1"},
         "203.0.113.5",
         "203.0.113.0/24"},
        {"an untrusted peer's Forwarded is ignored",
         "203.0.113.5",
         {"for=198.51.100.1"},
         {0},
         "203.0.113.5",
         "203.0.113.0/24"},
        {"an untrusted IPv6 peer's XFF is ignored",
         "2001:db8::5",
         {0},
         {"::1, 10.0.0.1"},
         "2001:db8::5",
         "2001:0db8:0000::/48"},
        {"a trusted proxy: the address it adds",
         "127.0.0.1",
         {0},
         {"198.51.100.7"},
         "198.51.100.7",
         "198.51.100.0/24"},
        {"a spoofed entry left of the proxy's is ignored",
         "127.0.0.1",
         {0},
         {"192.0.2.66, 198.51.100.7"},
         "198.51.100.7",
         "198.51.100.0/24"},
        {"a chain of trusted proxies",
         "127.0.0.1",
         {0},
         {"192.0.2.66, 198.51.100.7, 10.1.1.1, 10.2.2.2"},
         "198.51.100.7",
         "198.51.100.0/24"},
        {"all trusted: the leftmost",
         "127.0.0.1",
         {0},
         {"10.9.9.9, 10.1.1.1"},
         "10.9.9.9",
         "10.9.9.0/24"},
        {"header lines read in order, from the last",
         "127.0.0.1",
         {0},
         {"192.0.2.66", "198.51.100.7, 10.1.1.1"},
         "198.51.100.7",
         "198.51.100.0/24"},
        {"an IPv6 client",
         "::1",
         {0},
         {"2001:db8:cafe::17"},
         "2001:db8:cafe::17",
         "2001:0db8:cafe::/48"},
        {"XFF with ports and brackets",
         "127.0.0.1",
         {0},
         {"[2001:db8::1]:4711, 10.0.0.1:80"},
         "2001:db8::1",
         "2001:0db8:0000::/48"},
        {"IPv4 mapped into IPv6 is IPv4",
         "::ffff:127.0.0.1",
         {0},
         {"::ffff:198.51.100.7"},
         "198.51.100.7",
         "198.51.100.0/24"},
        {"Forwarded, RFC 7239's example",
         "127.0.0.1",
         {"for=\"_gazonk\", For=\"[2001:db8:cafe::17]:4711\""},
         {0},
         "2001:db8:cafe::17",
         "2001:0db8:cafe::/48"},
        {"Forwarded with proto and by",
         "10.0.0.2",
         {"for=192.0.2.60;proto=http;by=203.0.113.43, for=10.0.0.1"},
         {0},
         "192.0.2.60",
         "192.0.2.0/24"},
        {"Forwarded and XFF that agree",
         "127.0.0.1",
         {"for=192.0.2.60"},
         {"192.0.2.66, 192.0.2.60"},
         "192.0.2.60",
         "192.0.2.0/24"},
        {"a client's Forwarded beside the proxy's XFF: the peer",
         "127.0.0.1",
         {"for=192.0.2.60"},
         {"198.51.100.7"},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"a client's XFF beside the proxy's Forwarded: the peer",
         "127.0.0.1",
         {"for=198.51.100.7"},
         {"192.0.2.60"},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"a client's garbage Forwarded beside the proxy's XFF: the peer",
         "127.0.0.1",
         {"for=\"oops"},
         {"198.51.100.7"},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"Forwarded over two lines",
         "127.0.0.1",
         {"for=192.0.2.66", "for=\"198.51.100.7:80\""},
         {0},
         "198.51.100.7",
         "198.51.100.0/24"},
        {"Forwarded quoted with escapes",
         "127.0.0.1",
         {"for=\"198.51.100.\\7\""},
         {0},
         "198.51.100.7",
         "198.51.100.0/24"},
        {"garbage XFF: the peer",
         "127.0.0.1",
         {0},
         {"not an address"},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"an empty XFF entry: the peer",
         "127.0.0.1",
         {0},
         {"198.51.100.7, "},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"XFF of a host name: the peer",
         "127.0.0.1",
         {0},
         {"evil.example"},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"XFF with a bad port: the peer",
         "127.0.0.1",
         {0},
         {"198.51.100.7:http"},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"XFF of an IPv4 in brackets: the peer",
         "127.0.0.1",
         {0},
         {"[198.51.100.7]"},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"garbage left of the client is not read",
         "127.0.0.1",
         {0},
         {"<script>, 198.51.100.7"},
         "198.51.100.7",
         "198.51.100.0/24"},
        {"garbage behind a trusted hop: the peer",
         "127.0.0.1",
         {0},
         {"junk, 10.0.0.1"},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"Forwarded 'unknown': the peer",
         "127.0.0.1",
         {"for=unknown"},
         {0},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"Forwarded without for: the peer",
         "127.0.0.1",
         {"proto=https"},
         {0},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"Forwarded unterminated quote: the peer",
         "127.0.0.1",
         {"for=\"198.51.100.7"},
         {0},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"Forwarded bad syntax: the peer",
         "127.0.0.1",
         {"for 198.51.100.7"},
         {0},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"Forwarded with two for: the peer",
         "127.0.0.1",
         {"for=192.0.2.1;for=198.51.100.7"},
         {0},
         "127.0.0.1",
         "127.0.0.0/24"},
        {"Forwarded, a syntax error on a spoofed line: the peer",
         "127.0.0.1",
         {"for=192.0.2.1;;", "for=198.51.100.7"},
         {0},
         "127.0.0.1",
         "127.0.0.0/24"},
    };
    client_proxies trusted;
    char problem[160];
    CHECK(client_proxies_parse(TRUSTED, &trusted, problem, sizeof(problem)) == 0,
          "trusted list: %s", problem);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        client_address peer, client;
        CHECK(client_address_parse(cases[i].peer, strlen(cases[i].peer), &peer) == 0,
              "%s: the peer reads", cases[i].why);
        if (peer.family == AF_INET6) { /* as a dual-stack socket gives it */
            struct sockaddr_in6 socket_address = {.sin6_family = AF_INET6};
            memcpy(&socket_address.sin6_addr, peer.bytes, 16);
            client_from_sockaddr((const struct sockaddr *)&socket_address, &peer);
        }
        size_t nf = cases[i].forwarded[1] ? 2 : cases[i].forwarded[0] ? 1 : 0;
        size_t nx = cases[i].x_forwarded_for[1] ? 2 : cases[i].x_forwarded_for[0] ? 1 : 0;
        client_resolve(&trusted, &peer, cases[i].forwarded, nf, cases[i].x_forwarded_for, nx,
                       &client);
        char text[CLIENT_TEXT_MAX], network[CLIENT_NETWORK_MAX];
        client_address_text(&client, text, sizeof(text));
        client_network_text(&client, network, sizeof(network));
        CHECK_STR(text, cases[i].client, "%s: the client", cases[i].why);
        CHECK_STR(network, cases[i].network, "%s: the network", cases[i].why);
    }
}

/* More hops than are kept: the right end still decides. */
static void test_long_chain(void)
{
    char xff[4096] = "";
    for (int i = 0; i < 200; i++)
        snprintf(xff + strlen(xff), sizeof(xff) - strlen(xff), "192.0.2.%d, ", i % 250);
    snprintf(xff + strlen(xff), sizeof(xff) - strlen(xff), "198.51.100.7, 10.0.0.1");
    client_proxies trusted;
    char problem[160];
    client_proxies_parse(TRUSTED, &trusted, problem, sizeof(problem));
    client_address peer, client;
    client_address_parse("127.0.0.1", 9, &peer);
    const char *lines[] = {xff};
    client_resolve(&trusted, &peer, NULL, 0, lines, 1, &client);
    char text[CLIENT_TEXT_MAX];
    client_address_text(&client, text, sizeof(text));
    CHECK_STR(text, "198.51.100.7", "200 spoofed hops, then the proxy's");
}

void test_client(void)
{
    test_proxies_parse();
    test_proxies_match();
    test_resolve();
    test_long_chain();
}
