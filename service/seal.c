/*
 * Issuer keys and certificate seals. A seal is base64url(payload ||
 * Ed25519 signature of payload); the payload is the certificate's fields,
 * one per line, so that a verifier needs nothing but the issuer's public
 * key to read them back. Dates are YYYYMMDD and the level one letter to
 * keep the QR code small enough to scan from a printed page.
 */
#include "seal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEAL_TAG "OCOP1"

const char *const seal_field_names[SEAL_FIELDS] = {
    "format", "number",      "decision", "decided", "level",   "stars",
    "score",  "valid until", "group",    "gtin",    "product", "producer",
};

static int encode64(const unsigned char *bin, size_t len, char *out, size_t size)
{
    if (sodium_base64_encoded_len(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING) > size)
        return -1;
    sodium_bin2base64(out, size, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

static int decode64(const char *text, size_t text_len, unsigned char *out, size_t size, size_t *len)
{
    const char *end = NULL;
    if (sodium_base642bin(out, size, text, text_len, NULL, len, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    return end == text + text_len ? 0 : -1;
}

int seal_keys_generate(const char *path, char *public_text, size_t size)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char sk64[128], pk64[64];
    if (sodium_init() < 0)
        return -1;
    crypto_sign_keypair(pk, sk);
    encode64(sk, sizeof(sk), sk64, sizeof(sk64));
    encode64(pk, sizeof(pk), pk64, sizeof(pk64));
    sodium_memzero(sk, sizeof(sk));
    snprintf(public_text, size, SEAL_PUBLIC_PREFIX "%s", pk64);
    /* O_EXCL: an issuer's key is never overwritten by mistake. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    char line[256];
    int n = snprintf(line, sizeof(line), SEAL_SECRET_PREFIX "%s\n", sk64);
    sodium_memzero(sk64, sizeof(sk64));
    int failed = write(fd, line, (size_t)n) != n;
    sodium_memzero(line, sizeof(line));
    failed |= fchmod(fd, 0600) != 0;
    failed |= close(fd) != 0;
    if (failed)
        unlink(path);
    return failed ? -1 : 0;
}

/* The first line of a small file, without its newline. */
static int read_line(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int ok = fgets(out, (int)size, f) != NULL;
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    return ok ? 0 : -1;
}

int seal_secret_load(const char *path, const char *field, unsigned char sk[64],
                     ocl_problems *problems)
{
    char line[256];
    size_t len = 0;
    size_t prefix = strlen(SEAL_SECRET_PREFIX);
    if (sodium_init() < 0 || read_line(path, line, sizeof(line)) != 0) {
        ocl_problem_add(problems, field, "cannot read '%s'", path);
        return -1;
    }
    int bad = strncmp(line, SEAL_SECRET_PREFIX, prefix) != 0 ||
              decode64(line + prefix, strlen(line + prefix), sk, 64, &len) != 0 || len != 64;
    sodium_memzero(line, sizeof(line));
    if (bad) {
        ocl_problem_add(problems, field,
                        "'%s' is not a secret key written by 'ocoptrace keys "
                        "generate'",
                        path);
        return -1;
    }
    return 0;
}

int seal_public_parse(const char *arg, unsigned char pk[32], ocl_problems *problems)
{
    char line[256];
    size_t prefix = strlen(SEAL_PUBLIC_PREFIX), len = 0;
    const char *text = arg;
    if (strncmp(arg, SEAL_PUBLIC_PREFIX, prefix) != 0) {
        if (read_line(arg, line, sizeof(line)) != 0) {
            ocl_problem_add(problems, "pub",
                            "'%s' is neither a public key (ed25519:...) nor a "
                            "file holding one",
                            arg);
            return -1;
        }
        text = line;
    }
    if (sodium_init() < 0 || strncmp(text, SEAL_PUBLIC_PREFIX, prefix) != 0 ||
        decode64(text + prefix, strlen(text + prefix), pk, 32, &len) != 0 || len != 32) {
        ocl_problem_add(problems, "pub",
                        "not an Ed25519 public key as 'ocoptrace keys generate' "
                        "prints it");
        return -1;
    }
    return 0;
}

static void date_digits(const ocl_date *d, char out[9])
{
    snprintf(out, 9, "%04u%02u%02u", (unsigned)d->year % 10000u, (unsigned)d->month % 100u,
             (unsigned)d->day % 100u);
}

int seal_certificate_url(const ocl_certificate *c, const char *base, const unsigned char sk[64],
                         char *out, size_t size)
{
    unsigned char message[SEAL_TEXT_MAX + crypto_sign_BYTES];
    char decided[9], until[9];
    date_digits(&c->decided, decided);
    date_digits(&c->valid_until, until);
    int n = snprintf((char *)message, SEAL_TEXT_MAX,
                     SEAL_TAG "\n%s\n%s\n%s\n%c\n%d\n%d\n%s\n%s\n%s\n%s\n%s", c->number,
                     c->decision_number, decided, ocl_ocop_level_name(c->level)[0], c->stars,
                     c->total, until, ocl_group_name(c->group), c->gtin ? c->gtin : "",
                     c->product_name, c->producer_name);
    if (n < 0 || n >= SEAL_TEXT_MAX)
        return -1;
    crypto_sign_detached(message + n, NULL, message, (unsigned long long)n, sk);
    char seal[2 * SEAL_TEXT_MAX], number[3 * 64 + 1];
    if (encode64(message, (size_t)n + crypto_sign_BYTES, seal, sizeof(seal)) != 0 ||
        ocl_percent_encode(c->number, number, sizeof(number)) != OCL_OK)
        return -1;
    n = snprintf(out, size, "%s" SEAL_PATH "%s?seal=%s", base, number, seal);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Splits a verified payload into its fields. */
static int split_fields(seal_fields *f, size_t len)
{
    f->buffer[len] = '\0';
    char *at = f->buffer;
    for (int i = 0; i < SEAL_FIELDS; i++) {
        f->field[i] = at;
        char *nl = strchr(at, '\n');
        if (i < SEAL_FIELDS - 1) {
            if (!nl)
                return -1;
            *nl = '\0';
            at = nl + 1;
        } else if (nl) {
            return -1;
        }
    }
    return strcmp(f->field[0], SEAL_TAG) == 0 ? 0 : -1;
}

int seal_verify(const char *text, const unsigned char pk[32], seal_fields *fields,
                ocl_problems *problems)
{
    const char *seal = strstr(text, "seal=");
    seal = seal ? seal + 5 : text;
    size_t seal_len = strcspn(seal, "&#");
    unsigned char message[SEAL_TEXT_MAX + crypto_sign_BYTES];
    size_t len = 0;
    if (sodium_init() < 0 || decode64(seal, seal_len, message, sizeof(message), &len) != 0) {
        ocl_problem_add(problems, "text", "not a certificate seal: the seal is not base64url");
        return 2;
    }
    if (len <= crypto_sign_BYTES) {
        ocl_problem_add(problems, "text", "not a certificate seal: %zu bytes is too short", len);
        return 2;
    }
    size_t payload = len - crypto_sign_BYTES;
    if (crypto_sign_verify_detached(message + payload, message, payload, pk) != 0)
        return 1;
    memcpy(fields->buffer, message, payload);
    if (split_fields(fields, payload) != 0) {
        ocl_problem_add(problems, "text",
                        "the seal is signed but not in a format this version "
                        "reads");
        return 2;
    }
    /* The number in the URL's path is not signed: it must be the seal's. */
    if (seal != text) {
        const char *query = strchr(text, '?'), *path = NULL;
        if (!query)
            return 1;
        for (const char *at = text; (at = strstr(at, SEAL_PATH)) && at < query; at++)
            path = at + strlen(SEAL_PATH);
        char number[3 * 64 + 1];
        if (!path || ocl_percent_encode(fields->field[1], number, sizeof(number)) != OCL_OK ||
            (size_t)(query - path) != strlen(number) || strncmp(path, number, strlen(number)) != 0)
            return 1;
    }
    return 0;
}
