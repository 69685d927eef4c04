/*
 * Output files: written whole or not at all; shared messages; cores.
 */
#include "cli.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(PROGRAM ": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_report(const ocl_problems *problems)
{
    ocl_problems_print(problems, PROGRAM, stderr);
    return EXIT_INVALID;
}

int cli_parse_int(const char *text, const char *field, int min, int max, int *value,
                  ocl_problems *problems)
{
    char *end = NULL;
    errno = 0;
    long n = text && *text ? strtol(text, &end, 10) : 0;
    if (!text || !*text || *end || errno || n < min || n > max) {
        ocl_problem_add(problems, field, "must be a whole number from %d to %d", min, max);
        return -1;
    }
    *value = (int)n;
    return 0;
}

static int write_all(int fd, const unsigned char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int cli_write_output(const char *path, const void *data, size_t len)
{
    if (strcmp(path, "-") == 0) {
        if (write_all(STDOUT_FILENO, data, len) != 0) {
            cli_error("cannot write to standard output: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    char temp[PATH_MAX];
    if (snprintf(temp, sizeof(temp), "%s.XXXXXX", path) >= (int)sizeof(temp)) {
        cli_error("cannot write '%s': path too long", path);
        return -1;
    }
    int fd = mkstemp(temp);
    if (fd < 0) {
        cli_error("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    int failed = write_all(fd, data, len) != 0 || fchmod(fd, 0666 & ~mask) != 0;
    int saved = errno;
    if (close(fd) != 0 && !failed)
        failed = 1, saved = errno;
    if (!failed && rename(temp, path) != 0)
        failed = 1, saved = errno;
    if (failed) {
        unlink(temp);
        cli_error("cannot write '%s': %s", path, strerror(saved));
        return -1;
    }
    return 0;
}

int cli_read_file(const char *path, ocl_buffer *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = ocl_buffer_append(out, chunk, n) == OCL_OK ? 0 : -1;
    if (ferror(f))
        rc = -1;
    fclose(f);
    return rc;
}

void cli_day(long days_from_today, char out[11])
{
    time_t when = time(NULL) + (time_t)days_from_today * 86400;
    struct tm tm;
    localtime_r(&when, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int cli_cores(void)
{
    cpu_set_t set;
    long n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
                                                          : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > CLI_CORES_MAX ? CLI_CORES_MAX : (int)n;
}
