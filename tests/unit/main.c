/*
 * Runs every unit test of labels/ (and of service/client.c) and prints the closing count.
 */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;

/* Counts one test; a failure prints where, why, and any detail. */
static void record(int ok, const char *file, int line, const char *detail, const char *fmt,
                   va_list ap)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    fprintf(stderr, "FAIL %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n%s", detail);
}

void check_report(int ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(ok, file, line, "", fmt, ap);
    va_end(ap);
}

void check_string(const char *got, const char *want, const char *file, int line, const char *fmt,
                  ...)
{
    char detail[4096];
    snprintf(detail, sizeof(detail), "  got:  %s\n  want: %s\n", got ? got : "(null)",
             want ? want : "(null)");
    va_list ap;
    va_start(ap, fmt);
    record(got && want && strcmp(got, want) == 0, file, line, detail, fmt, ap);
    va_end(ap);
}

/* With "db" as its argument, only the database adapter's tests: the
 * PostgreSQL pass of tests/run.sh runs them again with a cluster up. */
int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "db") == 0) {
        test_db();
        printf("unit-db-postgresql: %d passed, %d failed\n", passed, failed);
        return failed ? 1 : 0;
    }
    test_gs1();
    test_sscc();
    test_qr();
    test_text();
    test_labels();
    test_ocop();
    test_client();
    test_clock();
    test_page();
    test_db();
    test_barcode();
    test_stamps();
    test_layouts();
    test_thermal();
    test_criteria();
    test_scores();
    test_tables();
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
