/*
 * UTF-8 validation tests.
 */
#include "check.h"
#include "ocoplabels.h"

#include <string.h>

void test_text(void)
{
    static const struct {
        const char *text;
        size_t len;
        size_t bad; /* (size_t)-1: valid */
    } cases[] = {
        {"plain ASCII", 11, (size_t)-1},
        {"Nước mắm Phan Thiết", sizeof("Nước mắm Phan Thiết") - 1, (size_t)-1},
        {"\xF0\x9F\x8C\xBE rice", 9, (size_t)-1},
        {"\xEF\xBF\xBF", 3, (size_t)-1},
        {"ab\x80", 3, 2},           /* lone continuation byte */
        {"\xC0\xAF", 2, 0},         /* overlong '/' */
        {"\xE0\x80\xAF", 3, 0},     /* overlong, three bytes */
        {"\xED\xA0\x80", 3, 0},     /* surrogate */
        {"\xF4\x90\x80\x80", 4, 0}, /* past U+10FFFF */
        {"x\xE1\xBA", 3, 1},        /* cut short */
        {"\xFF", 1, 0},
        {"a\xC3(", 3, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t got = ocl_utf8_invalid_at((const unsigned char *)cases[i].text, cases[i].len);
        CHECK(got == cases[i].bad, "utf-8 case %zu: first bad byte %zu, want %zu", i, got,
              cases[i].bad);
    }
}
