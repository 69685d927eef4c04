/*
 * QR symbols: libqrencode behind one call, returning a module matrix with
 * the quiet zone already in place so that every renderer draws the same
 * thing. Data is always encoded case-sensitively: libqrencode upper-cases
 * it otherwise, which would break every lower-case URI.
 */
#include "internal.h"

#include <errno.h>
#include <qrencode.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

ocl_result ocl_ec_parse(const char *text, ocl_ec_level *level)
{
    static const char names[] = "LMQH";
    if (!text || !text[0] || text[1])
        return OCL_EINVAL;
    const char *hit = strchr(names, text[0] & ~0x20);
    if (!hit || !*hit)
        return OCL_EINVAL;
    *level = (ocl_ec_level)(hit - names);
    return OCL_OK;
}

static QRecLevel qrencode_level(ocl_ec_level level)
{
    switch (level) {
    case OCL_EC_L:
        return QR_ECLEVEL_L;
    case OCL_EC_Q:
        return QR_ECLEVEL_Q;
    case OCL_EC_H:
        return QR_ECLEVEL_H;
    default:
        return QR_ECLEVEL_M;
    }
}

static int has_non_ascii(const unsigned char *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (data[i] >= 0x80)
            return 1;
    return 0;
}

/* ASCII: libqrencode picks numeric, alphanumeric and byte segments. It
 * wants a terminated string, so copy. */
static QRcode *encode_ascii(const unsigned char *data, size_t len, ocl_ec_level level)
{
    char *text = malloc(len + 1);
    if (!text)
        return NULL;
    memcpy(text, data, len);
    text[len] = '\0';
    QRcode *code = QRcode_encodeString(text, 0, qrencode_level(level), QR_MODE_8, 1);
    int err = errno;
    free(text);
    errno = err;
    return code;
}

/* Anything else is UTF-8 (callers check): bytes as they are, announced by
 * ECI 26 so that readers do not guess Latin-1 or Shift JIS. */
static QRcode *encode_utf8(const unsigned char *data, size_t len, ocl_ec_level level)
{
    QRinput *input = QRinput_new2(0, qrencode_level(level));
    if (!input)
        return NULL;
    QRcode *code = NULL;
    if (len <= INT32_MAX && QRinput_appendECIheader(input, 26) == 0 &&
        QRinput_append(input, QR_MODE_8, (int)len, data) == 0)
        code = QRcode_encodeInput(input);
    int err = errno;
    QRinput_free(input);
    errno = err;
    return code;
}

ocl_result ocl_qr_encode(const unsigned char *data, size_t len, ocl_ec_level level, ocl_qr *qr)
{
    memset(qr, 0, sizeof(*qr));
    if (!data || len == 0 || memchr(data, '\0', len))
        return OCL_EINVAL;
    /* QRcode_encodeString wants a terminated string; callers rarely hand
     * one that is terminated exactly at len, so copy. */
    errno = 0;
    QRcode *code =
        has_non_ascii(data, len) ? encode_utf8(data, len, level) : encode_ascii(data, len, level);
    int err = errno;
    if (!code)
        return err == ERANGE ? OCL_ERANGE : err == ENOMEM ? OCL_ENOMEM : OCL_ELIBRARY;

    int quiet = OCL_QR_QUIET_ZONE;
    int size = code->width + 2 * quiet;
    qr->modules = calloc((size_t)size * (size_t)size, 1);
    if (!qr->modules) {
        QRcode_free(code);
        return OCL_ENOMEM;
    }
    for (int y = 0; y < code->width; y++) {
        const unsigned char *src = code->data + (size_t)y * (size_t)code->width;
        unsigned char *dst = qr->modules + (size_t)(y + quiet) * (size_t)size + (size_t)quiet;
        for (int x = 0; x < code->width; x++)
            dst[x] = src[x] & 1;
    }
    qr->version = code->version;
    qr->size = size;
    qr->quiet = quiet;
    QRcode_free(code);
    return OCL_OK;
}

void ocl_qr_free(ocl_qr *qr)
{
    free(qr->modules);
    qr->modules = NULL;
    qr->size = 0;
}
