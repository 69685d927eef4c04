/*
 * libFuzzer harness for the Digital Link parser. Beyond "no crash", it
 * checks a property: whatever parses, once rebuilt on its own base URL,
 * parses back to the same identifiers.
 */
#include "ocoplabels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char uri[OCL_URI_MAX + 64];
    if (size >= sizeof(uri))
        return 0;
    memcpy(uri, data, size);
    uri[size] = '\0';

    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_link link;
    char base[OCL_BASE_URL_MAX + 64];
    if (ocl_link_parse(uri, &link, base, sizeof(base), &problems) != OCL_OK) {
        if (problems.count == 0)
            abort(); /* a refusal always says why */
        return 0;
    }
    if (problems.count != 0)
        abort();
    char element[OCL_URI_MAX];
    if (ocl_link_element_string(&link, element, sizeof(element)) != OCL_OK)
        abort();

    char rebuilt[OCL_URI_MAX + 64];
    ocl_problems_init(&problems);
    if (ocl_link_build(base, &link, rebuilt, sizeof(rebuilt), &problems) != OCL_OK)
        return 0; /* the parser takes prefixes the builder refuses as a base */
    ocl_link again;
    ocl_problems_init(&problems);
    if (ocl_link_parse(rebuilt, &again, NULL, 0, &problems) != OCL_OK)
        abort();
    if (memcmp(&link, &again, sizeof(link)) != 0)
        abort();
    return 0;
}
