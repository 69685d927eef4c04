/*
 * Small text in bounded buffers, on paths every request takes, where
 * snprintf's format parsing would cost more than the copying.
 */
#ifndef OCOPTRACE_TEXT_H
#define OCOPTRACE_TEXT_H

#include <stddef.h>
#include <string.h>

/* Copies as much of `text` as fits in `size` bytes (size > 0), always
 * terminated; the length copied. */
static inline size_t text_copy(char *out, size_t size, const char *text)
{
    size_t len = strnlen(text, size - 1);
    memcpy(out, text, len);
    out[len] = '\0';
    return len;
}

/* Writes `v` in decimal, at least `width` digits (zeros before), at `at`;
 * the end. At most 20 digits. */
static inline char *text_digits(char *at, unsigned long long v, int width)
{
    char digits[20];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 20);
    while (n < width && n < 20)
        digits[n++] = '0';
    while (n)
        *at++ = digits[--n];
    return at;
}

#endif
