/*
 * QR symbols: libqrencode behind one call, returning a module matrix with
 * the quiet zone already in place so that every renderer draws the same
 * thing. Data is always encoded case-sensitively: libqrencode upper-cases
 * it otherwise, which would break every lower-case URI.
 *
 * libqrencode spends most of a code's time choosing the mask, and most of
 * the rest placing modules one at a time. Where its library exports
 * Split_splitStringToQRinput and QRinput_getByteStream (every 3.x and 4.x
 * build; they are declared only in its internal headers), it only chooses
 * the segments and makes the data codewords: qrmatrix.c builds the symbol
 * and qrmask.c chooses the mask. Otherwise the public QRcode_encodeString
 * and QRcode_encodeInput do all of it. Both give the same symbol.
 */
#include "internal.h"

#include <errno.h>
#include <qrencode.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

extern unsigned char *QRinput_getByteStream(QRinput *input) __attribute__((weak));
extern int Split_splitStringToQRinput(const char *string, QRinput *input, QRencodeMode hint,
                                      int casesensitive) __attribute__((weak));

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

/* The input of a symbol. ASCII: libqrencode splits it into numeric,
 * alphanumeric and byte segments. Anything else is UTF-8 (callers check):
 * bytes as they are, announced by ECI 26 so that readers do not guess
 * Latin-1 or Shift JIS. */
static QRinput *make_input(const unsigned char *data, size_t len, ocl_ec_level level)
{
    QRinput *input = QRinput_new2(0, qrencode_level(level));
    if (!input)
        return NULL;
    int rc = -1;
    if (has_non_ascii(data, len)) {
        if (len <= INT32_MAX && QRinput_appendECIheader(input, 26) == 0)
            rc = QRinput_append(input, QR_MODE_8, (int)len, data);
    } else {
        char *text = malloc(len + 1);
        if (text) {
            memcpy(text, data, len);
            text[len] = '\0';
            rc = Split_splitStringToQRinput(text, input, QR_MODE_8, 1);
            free(text);
        }
    }
    if (rc != 0) {
        int err = errno;
        QRinput_free(input);
        errno = err;
        return NULL;
    }
    return input;
}

/* The public path, for a libqrencode without the internal entry points. */
static QRcode *encode_public(const unsigned char *data, size_t len, ocl_ec_level level)
{
    if (!has_non_ascii(data, len)) {
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
    QRinput *input = QRinput_new2(0, qrencode_level(level));
    QRcode *code = NULL;
    if (input && len <= INT32_MAX && QRinput_appendECIheader(input, 26) == 0 &&
        QRinput_append(input, QR_MODE_8, (int)len, data) == 0)
        code = QRcode_encodeInput(input);
    int err = errno;
    QRinput_free(input);
    errno = err;
    return code;
}

/* A light square with room for a symbol of `width` modules and its quiet
 * zone. */
static ocl_result make_square(int width, int version, ocl_qr *qr)
{
    int quiet = OCL_QR_QUIET_ZONE;
    int size = width + 2 * quiet;
    qr->modules = calloc((size_t)size * (size_t)size, 1);
    if (!qr->modules)
        return OCL_ENOMEM;
    qr->version = version;
    qr->size = size;
    qr->quiet = quiet;
    return OCL_OK;
}

/* Where module (0, 0) of the symbol goes. */
static unsigned char *symbol_origin(const ocl_qr *qr)
{
    return qr->modules + (size_t)qr->quiet * (size_t)qr->size + (size_t)qr->quiet;
}

static ocl_result place(const unsigned char *symbol, int width, int version, ocl_qr *qr)
{
    ocl_result rc = make_square(width, version, qr);
    if (rc != OCL_OK)
        return rc;
    for (int y = 0; y < width; y++) {
        const unsigned char *src = symbol + (size_t)y * (size_t)width;
        unsigned char *dst = symbol_origin(qr) + (size_t)y * (size_t)qr->size;
        for (int x = 0; x < width; x++)
            dst[x] = src[x] & 1;
    }
    return OCL_OK;
}

static ocl_result error_result(int err)
{
    return err == ERANGE ? OCL_ERANGE : err == ENOMEM ? OCL_ENOMEM : OCL_ELIBRARY;
}

ocl_result ocl_qr_encode(const unsigned char *data, size_t len, ocl_ec_level level, ocl_qr *qr)
{
    memset(qr, 0, sizeof(*qr));
    if (!data || len == 0 || memchr(data, '\0', len))
        return OCL_EINVAL;
    errno = 0;
    if (!QRinput_getByteStream || !Split_splitStringToQRinput) {
        QRcode *code = encode_public(data, len, level);
        if (!code)
            return error_result(errno);
        ocl_result rc = place(code->data, code->width, code->version, qr);
        QRcode_free(code);
        return rc;
    }
    QRinput *input = make_input(data, len, level);
    unsigned char *codewords = input ? QRinput_getByteStream(input) : NULL;
    int err = errno, version = codewords ? QRinput_getVersion(input) : 0;
    QRinput_free(input);
    if (!codewords)
        return error_result(err);
    int width = 17 + 4 * version;
    unsigned char *symbol = malloc((size_t)width * (size_t)width);
    ocl_result rc = symbol ? make_square(width, version, qr) : OCL_ENOMEM;
    if (rc == OCL_OK && ocl_qr_build(codewords, version, level, symbol) != width)
        rc = OCL_ELIBRARY;
    if (rc == OCL_OK &&
        ocl_qr_select_mask(symbol, width, level, symbol_origin(qr), (size_t)qr->size) < 0)
        rc = OCL_ENOMEM;
    if (rc != OCL_OK)
        ocl_qr_free(qr);
    free(symbol);
    free(codewords);
    return rc;
}

void ocl_qr_free(ocl_qr *qr)
{
    free(qr->modules);
    qr->modules = NULL;
    qr->size = 0;
}
