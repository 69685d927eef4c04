/*
 * Runs every unit test of labels/ and prints the closing count.
 */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;

void check_report(int ok, const char *file, int line, const char *fmt, ...)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void check_string(const char *got, const char *want, const char *file, int line, const char *fmt,
                  ...)
{
    int ok = got && want && strcmp(got, want) == 0;
    if (ok) {
        passed++;
        return;
    }
    failed++;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n  got:  %s\n  want: %s\n", got ? got : "(null)", want ? want : "(null)");
    va_end(ap);
}

int main(void)
{
    test_gs1();
    test_qr();
    test_text();
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
