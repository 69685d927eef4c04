/*
 * Unit serials: unguessable (45 bits from the system's CSPRNG) and
 * checkable by hand (a Luhn mod 32 check character catches every single
 * wrong character and every swap of two neighbours but "0Z" for "Z0": the
 * doubled Z folds back onto Z, as Luhn's 09 does in base 10; a check
 * that would catch it too would invalidate every serial already printed).
 * The alphabet is
 * Crockford's base 32: digits and upper-case letters without I, L, O and
 * U, all in GS1 set 82, none mistaken for another when printed small.
 */
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
#define RADIX 32

static int digit_of(char c)
{
    const char *hit = c ? strchr(alphabet, c) : NULL;
    return hit ? (int)(hit - alphabet) : -1;
}

/* Luhn mod N: from the right, every second digit doubled (folded back into
 * the radix); the check makes the sum a multiple of the radix. */
static int check_digit(const char *payload, size_t len)
{
    int sum = 0, factor = 2;
    for (size_t i = len; i-- > 0;) {
        int addend = factor * digit_of(payload[i]);
        factor = factor == 2 ? 1 : 2;
        sum += addend / RADIX + addend % RADIX;
    }
    return (RADIX - sum % RADIX) % RADIX;
}

ocl_result ocl_serial_generate(char out[OCL_SERIAL_LEN + 1])
{
    unsigned char random[OCL_SERIAL_LEN - 1];
    size_t got = 0;
    while (got < sizeof(random)) {
        ssize_t n = getrandom(random + got, sizeof(random) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return OCL_EIO;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof(random); i++)
        out[i] = alphabet[random[i] % RADIX]; /* 256 is a multiple of 32: no bias */
    out[OCL_SERIAL_LEN - 1] = alphabet[check_digit(out, OCL_SERIAL_LEN - 1)];
    out[OCL_SERIAL_LEN] = '\0';
    return OCL_OK;
}

int ocl_serial_valid(const char *serial)
{
    if (!serial || strlen(serial) != OCL_SERIAL_LEN)
        return 0;
    for (size_t i = 0; i < OCL_SERIAL_LEN; i++)
        if (digit_of(serial[i]) < 0)
            return 0;
    return digit_of(serial[OCL_SERIAL_LEN - 1]) == check_digit(serial, OCL_SERIAL_LEN - 1);
}
