/*
 * SSCCs, the Serial Shipping Container Codes of AI 00 that name a carton:
 * an extension digit, the GS1 company prefix, a serial reference that
 * fills the rest of the 17 digits, and a check digit as a GTIN's; their
 * company prefixes, and their EPC URIs (urn:epc:id:sscc:...) as EPCIS
 * names a logistic unit.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* Digits from the extension digit to the serial reference's last. */
#define SSCC_BODY (OCL_SSCC_LEN - 1)

/* The position (1-based) of the first character that is not a digit, or 0. */
static size_t not_digit_at(const char *text)
{
    for (size_t i = 0; text[i]; i++)
        if (text[i] < '0' || text[i] > '9')
            return i + 1;
    return 0;
}

ocl_result ocl_company_prefix_check(const char *prefix, const char *field, ocl_problems *problems)
{
    size_t len = prefix ? strlen(prefix) : 0;
    size_t bad = prefix ? not_digit_at(prefix) : 0;
    if (len == 0)
        return ocl_problem_add(problems, field, "required");
    if (bad)
        return ocl_problem_add(problems, field,
                               "must be digits only (a GS1 company prefix), found '%c' at "
                               "position %zu",
                               prefix[bad - 1], bad);
    if (len < OCL_COMPANY_PREFIX_MIN || len > OCL_COMPANY_PREFIX_MAX)
        return ocl_problem_add(problems, field,
                               "must have %d to %d digits (a GS1 company prefix), found %zu",
                               OCL_COMPANY_PREFIX_MIN, OCL_COMPANY_PREFIX_MAX, len);
    return OCL_OK;
}

long long ocl_sscc_reference_max(size_t prefix_len)
{
    if (prefix_len < OCL_COMPANY_PREFIX_MIN || prefix_len > OCL_COMPANY_PREFIX_MAX)
        return 0;
    long long max = 1;
    for (size_t i = 0; i < SSCC_BODY - 1 - prefix_len; i++)
        max *= 10;
    return max - 1;
}

ocl_result ocl_sscc_build(int extension, const char *company_prefix, long long reference,
                          char out[OCL_SSCC_LEN + 1], ocl_problems *problems)
{
    if (extension < 0 || extension > 9)
        return ocl_problem_add(problems, "extension_digit", "must be 0 to 9, found %d", extension);
    if (ocl_company_prefix_check(company_prefix, "company_prefix", problems) != OCL_OK)
        return OCL_EINVAL;
    size_t len = strlen(company_prefix);
    long long max = ocl_sscc_reference_max(len);
    if (reference < 0 || reference > max)
        return ocl_problem_add(problems, "serial_reference",
                               "must be 0 to %lld under a company prefix of %zu digits, found %lld",
                               max, len, reference);
    char body[SSCC_BODY + 1];
    snprintf(body, sizeof(body), "%d%s%0*lld", extension, company_prefix,
             (int)(SSCC_BODY - 1 - len), reference);
    int check;
    ocl_gtin_check_digit(body, SSCC_BODY, &check);
    snprintf(out, OCL_SSCC_LEN + 1, "%s%d", body, check);
    return OCL_OK;
}

ocl_result ocl_sscc_check(const char *sscc, const char *field, ocl_problems *problems)
{
    size_t len = sscc ? strlen(sscc) : 0;
    size_t bad = sscc ? not_digit_at(sscc) : 0;
    if (len == 0)
        return ocl_problem_add(problems, field, "required");
    if (bad)
        return ocl_problem_add(problems, field, "must be digits only, found '%c' at position %zu",
                               sscc[bad - 1], bad);
    if (len != OCL_SSCC_LEN)
        return ocl_problem_add(problems, field, "must have %d digits (an SSCC), found %zu",
                               OCL_SSCC_LEN, len);
    int expected;
    ocl_gtin_check_digit(sscc, SSCC_BODY, &expected);
    int found = sscc[SSCC_BODY] - '0';
    if (found != expected)
        return ocl_problem_add(problems, field, "check digit is %d, expected %d", found, expected);
    return OCL_OK;
}

ocl_result ocl_sscc_epc_uri(const char *sscc, size_t prefix_len, char *out, size_t size)
{
    ocl_problems ignored;
    ocl_problems_init(&ignored);
    if (ocl_sscc_check(sscc, "sscc", &ignored) != OCL_OK || !ocl_sscc_reference_max(prefix_len))
        return OCL_EINVAL;
    /* The company prefix, a dot, then the extension digit leading the
     * serial reference (TDS 2.x, 14.5.2); the check digit is not part of it. */
    int n = snprintf(out, size, "urn:epc:id:sscc:%.*s.%c%.*s", (int)prefix_len, sscc + 1, sscc[0],
                     (int)(SSCC_BODY - 1 - prefix_len), sscc + 1 + prefix_len);
    return n >= 0 && (size_t)n < size ? OCL_OK : OCL_ERANGE;
}
