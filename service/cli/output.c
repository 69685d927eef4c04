/*
 * What every command prints and writes: messages, problems, numbers from
 * options, and output files (standard output or written whole).
 */
#include "cli.h"
#include "host.h"

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

int cli_write_output(const char *path, const void *data, size_t len)
{
    if (strcmp(path, "-") == 0) {
        if (host_write_all(STDOUT_FILENO, data, len) != 0) {
            cli_error("cannot write to standard output: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    if (host_write_file(path, data, len) != 0) {
        cli_error("cannot write '%s': %s", path,
                  errno == ENAMETOOLONG ? "path too long" : strerror(errno));
        return -1;
    }
    return 0;
}
