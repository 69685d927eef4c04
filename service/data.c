/*
 * Where the program's data is: fonts/ and templates/, in a build tree or an
 * installed one.
 */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Joins two parts of a path; 0, or -1 when it does not fit. */
int cli_join_path(char *out, size_t size, const char *a, const char *b)
{
    int n = snprintf(out, size, "%s/%s", a, b);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Where templates/ and fonts/ are: $OCOPTRACE_DATA, else beside the
 * program or a folder or two above it (a build tree), else share/ocoptrace
 * above the program's bin/ (an installed tree, whatever its PREFIX). */
const char *cli_data_dir(void)
{
    static char found[PATH_MAX];
    const char *env = getenv("OCOPTRACE_DATA");
    if (env && *env)
        return env;
    char dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
    for (int up = 0; n > 0 && up < 3; up++) {
        dir[n] = '\0';
        char *slash = strrchr(dir, '/');
        if (!slash)
            break;
        *slash = '\0';
        n = slash - dir;
        static const char *const places[] = {"", "/share/ocoptrace"};
        for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
            char probe[PATH_MAX];
            if (snprintf(found, sizeof(found), "%s%s", dir, places[i]) < (int)sizeof(found) &&
                cli_join_path(probe, sizeof(probe), found, "templates/sheets") == 0 &&
                access(probe, R_OK) == 0)
                return found;
        }
    }
    return OCOPTRACE_DATADIR;
}

int cli_data_file(const char *relative, char *out, size_t size)
{
    return cli_join_path(out, size, cli_data_dir(), relative);
}
