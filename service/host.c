/*
 * What the program takes from the machine it runs on: its data files, whole
 * files read and written, and its cores.
 */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Joins two parts of a path; 0, or -1 when it does not fit. */
int host_join_path(char *out, size_t size, const char *a, const char *b)
{
    int n = snprintf(out, size, "%s/%s", a, b);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Where templates/ and fonts/ are: $OCOPTRACE_DATA, else beside the
 * program or a folder or two above it (a build tree), else share/ocoptrace
 * above the program's bin/ (an installed tree, whatever its PREFIX). */
const char *host_data_dir(void)
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
                host_join_path(probe, sizeof(probe), found, "templates/sheets") == 0 &&
                access(probe, R_OK) == 0)
                return found;
        }
    }
    return OCOPTRACE_DATADIR;
}

int host_data_file(const char *relative, char *out, size_t size)
{
    return host_join_path(out, size, host_data_dir(), relative);
}

int host_write_all(int fd, const void *bytes, size_t len)
{
    const unsigned char *data = bytes;
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

int host_output_open(host_output *out, const char *path)
{
    struct stat st;
    out->path = path;
    out->direct = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
    if (out->direct) {
        out->fd = open(path, O_WRONLY | O_CLOEXEC);
        return out->fd < 0 ? -1 : 0;
    }
    if (snprintf(out->temp, sizeof(out->temp), "%s.XXXXXX", path) >= (int)sizeof(out->temp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    out->fd = mkstemp(out->temp);
    return out->fd < 0 ? -1 : 0;
}

int host_output_commit(host_output *out)
{
    int failed = 0, saved = 0;
    if (!out->direct) {
        mode_t mask = umask(0);
        umask(mask);
        if (fchmod(out->fd, 0666 & ~mask) != 0)
            failed = 1, saved = errno;
    }
    if (close(out->fd) != 0 && !failed)
        failed = 1, saved = errno;
    if (!failed && !out->direct && rename(out->temp, out->path) != 0)
        failed = 1, saved = errno;
    if (failed && !out->direct)
        unlink(out->temp);
    errno = saved;
    return failed ? -1 : 0;
}

void host_output_abort(host_output *out)
{
    int saved = errno;
    close(out->fd);
    if (!out->direct)
        unlink(out->temp);
    errno = saved;
}

int host_write_file(const char *path, const void *data, size_t len)
{
    host_output out;
    if (host_output_open(&out, path) != 0)
        return -1;
    if (host_write_all(out.fd, data, len) != 0) {
        host_output_abort(&out);
        return -1;
    }
    return host_output_commit(&out);
}

int host_read_file(const char *path, ocl_buffer *out)
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

int host_cores(void)
{
    cpu_set_t set;
    long n = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set)
                                                          : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > HOST_CORES_MAX ? HOST_CORES_MAX : (int)n;
}

void host_process_name(char out[HOST_PROCESS_NAME_MAX])
{
    char host[32] = "";
    gethostname(host, sizeof(host) - 1);
    unsigned random = sodium_init() < 0 ? 0 : (unsigned)randombytes_random();
    snprintf(out, HOST_PROCESS_NAME_MAX, "%.31s-%ld-%08x", host, (long)getpid(), random);
}

void host_background(void)
{
    /* Linux keeps a nice value per thread: the thread's id lowers only it.
     * Lowering needs no privilege; failing leaves the work as it was. */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), HOST_BACKGROUND_NICE);
}
