/*
 * A minimal test harness: every CHECK is one test, failures say where and
 * why, and the run ends with "unit: N passed, N failed".
 */
#ifndef OCOPTRACE_CHECK_H
#define OCOPTRACE_CHECK_H

#include <stddef.h>

#define CHECK(cond, ...) check_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))

void check_report(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Compares two strings, printing both when they differ. */
#define CHECK_STR(got, want, ...) check_string((got), (want), __FILE__, __LINE__, __VA_ARGS__)
void check_string(const char *got, const char *want, const char *file, int line, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

/* The test files. */
void test_gs1(void);
void test_sscc(void);
void test_qr(void);
void test_text(void);
void test_labels(void);
void test_ocop(void);
void test_client(void);
void test_clock(void);
void test_page(void);
void test_db(void);
void test_barcode(void);
void test_stamps(void);
void test_layouts(void);
void test_thermal(void);
void test_criteria(void);
void test_scores(void);
void test_tables(void);

#endif
