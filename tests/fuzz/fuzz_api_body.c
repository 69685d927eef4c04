/*
 * libFuzzer harness for request bodies: any bytes, as a product POST or
 * PATCH body, are accepted or refused with a 4xx, never a crash or a 5xx.
 */
#include "http.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int patch = 0; patch < 2; patch++) {
        int status = api_products_check_body((const char *)data, size, patch);
        if (status != 0 && (status < 400 || status > 499))
            abort();
    }
    return 0;
}
