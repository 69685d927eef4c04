/*
 * Issuer keys (Ed25519, libsodium) and the signed seal a certificate's QR
 * code carries, checkable offline with the issuer's public key.
 */
#ifndef OCOPTRACE_SEAL_H
#define OCOPTRACE_SEAL_H

#include "ocoplabels.h"

#include <sodium.h>

#define SEAL_PUBLIC_PREFIX "ed25519:"
#define SEAL_SECRET_PREFIX "ocoptrace-ed25519-secret:"
#define SEAL_TEXT_MAX      1024
#define SEAL_FIELDS        12

/* The fields a seal signs, in order. */
typedef struct {
    char buffer[SEAL_TEXT_MAX];
    const char *field[SEAL_FIELDS];
} seal_fields;

extern const char *const seal_field_names[SEAL_FIELDS];

/* Writes a new key pair's secret key to `path` (mode 0600, never over an
 * existing file) and its public key, as printed, into `public_text`. */
int seal_keys_generate(const char *path, char *public_text, size_t size);
/* Reads a secret key file; 0, or -1 after a problem naming `field`. */
int seal_secret_load(const char *path, const char *field, unsigned char sk[64],
                     ocl_problems *problems);
/* A public key given as printed ("ed25519:...") or as a file holding it. */
int seal_public_parse(const char *arg, unsigned char pk[32], ocl_problems *problems);

/* The URL a certificate's code holds: BASE/c/{number}?seal=..., the
 * certificate's status page on the resolver. */
#define SEAL_PATH "/c/"
int seal_certificate_url(const ocl_certificate *c, const char *base, const unsigned char sk[64],
                         char *out, size_t size);

/* Checks a code's text (the URL, or the seal alone): 0 signature valid and
 * fields filled; 1 signature does not match; 2 malformed (why in problems). */
int seal_verify(const char *text, const unsigned char pk[32], seal_fields *fields,
                ocl_problems *problems);

#endif
