/*
 * `ocoptrace serve`: the daemon. Flags over the config file over safe
 * defaults; SIGTERM and SIGINT stop it after the requests in flight.
 */
#include "cli.h"
#include "http.h"
#include "reminders.h"
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char serve_usage[] =
    "usage: ocoptrace serve [--config FILE] [--listen ADDR:PORT] [--db URL] [--base-url URL]\n"
    "                       [--log FILE]\n"
    "\n"
    "Serves the HTTP API under /api/v1 (Authorization: Bearer TOKEN), /healthz and\n"
    "/metrics, and the public resolver (/01/..., /lot/...). Defaults: "
    "listen\n" CONFIG_DEFAULT_LISTEN ", database " CONFIG_DEFAULT_DB
    ", base URL " OCL_DEFAULT_BASE_URL ".\n"
    "One line per request goes to stderr, or appended to FILE. SIGTERM or SIGINT\n"
    "stops it after the requests in flight; SIGHUP reloads the config file and\n"
    "reopens the log (after a rotation). A sample config and a systemd unit are in\n"
    "service/.\n";

/* Points stderr, where every log line goes, at `path` (appending); none
 * keeps stderr as it is. Reopening by name after a rotation moves the
 * lines to the new file. 0, or -1 with errno. */
static int open_log(const char *path)
{
    if (!*path)
        return 0;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    fflush(stderr);
    int rc = dup2(fd, STDERR_FILENO) < 0 ? -1 : 0;
    close(fd);
    return rc;
}

/* Every commit of the scans' writer (each few milliseconds) makes each
 * worker's SQLite connection drop its page cache and allocate it again on
 * its next request. At glibc's default trim threshold (128 KB) that grows
 * a thread's heap and hands it back at every request, in page faults and
 * madvise; the daemon keeps what it freed instead, up to 32 MB a thread. */
static void keep_freed_memory(void)
{
    mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TOP_PAD, 1024 * 1024);
}

int cmd_serve(int argc, char **argv)
{
    const char *config_path = NULL, *listen = NULL, *db = NULL, *base_url = NULL, *log = NULL;
    const cli_option options[] = {
        {"config", 0, &config_path, NULL}, {"listen", 0, &listen, NULL}, {"db", 0, &db, NULL},
        {"base-url", 0, &base_url, NULL},  {"log", 0, &log, NULL},
    };
    int first = cli_parse_options(argc, argv, options, 5, serve_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    ocl_problems problems;
    ocl_problems_init(&problems);
    config c;
    config_load(config_path, &c, &problems);
    const struct {
        const char *value;
        char *dest;
        size_t size;
        const char *field;
    } flags[] = {{listen, c.listen, sizeof(c.listen), "listen"},
                 {db, c.db, sizeof(c.db), "db"},
                 {base_url, c.base_url, sizeof(c.base_url), "base-url"},
                 {log, c.log, sizeof(c.log), "log"}};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (flags[i].value && strlen(flags[i].value) >= flags[i].size)
            ocl_problem_add(&problems, flags[i].field, "too long");
        else if (flags[i].value)
            snprintf(flags[i].dest, flags[i].size, "%s", flags[i].value);
    }
    char base[OCL_BASE_URL_MAX];
    ocl_base_url_check(c.base_url, base, &problems);
    if (first < argc)
        ocl_problem_add(&problems, "serve", "unexpected argument '%s'", argv[first]);
    if (problems.count)
        return cli_report(&problems);
    if (open_log(c.log) != 0) {
        cli_error("log '%s': %s", c.log, strerror(errno));
        return EXIT_FAILED;
    }

    keep_freed_memory();
    char error[STORE_ERROR_MAX];
    store *s = store_open(c.db, error);
    if (!s) {
        cli_error("database '%s': %s", c.db, error);
        return EXIT_FAILED;
    }
    /* Signals are taken by sigwait here, not by handlers in any thread. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    http_server *server = http_start(s, &c, error, sizeof(error));
    if (!server) {
        cli_error("%s", error);
        store_close(s);
        return EXIT_FAILED;
    }
    sync_worker *sync = sync_start(c.db, &c, error, sizeof(error));
    if (!sync && error[0]) {
        cli_error("%s", error);
        http_stop(server);
        store_close(s);
        return EXIT_FAILED;
    }
    reminders_worker *reminders = reminders_start(c.db, &c, error, sizeof(error));
    if (!reminders) {
        cli_error("%s", error);
        sync_stop(sync);
        http_stop(server);
        store_close(s);
        return EXIT_FAILED;
    }
    fprintf(stderr, PROGRAM ": serving http://%s/ (database %s)%s%s\n", c.listen, c.db,
            sync ? "; pushing to " : "", sync ? c.sync.endpoint : "");
    int signal_number = 0;
    /* SIGHUP reopens the log and reloads the config file (flags still win). */
    while (sigwait(&stop, &signal_number) == 0 && signal_number == SIGHUP) {
        if (open_log(log ? log : c.log) != 0)
            fprintf(stderr, PROGRAM ": cannot reopen the log: %s\n", strerror(errno));
        config fresh;
        ocl_problems_init(&problems);
        if (config_load(config_path, &fresh, &problems) != 0 ||
            ocl_base_url_check(base_url ? base_url : fresh.base_url, base, &problems) != OCL_OK) {
            ocl_problems_print(&problems, PROGRAM ": reload refused", stderr);
            continue;
        }
        snprintf(fresh.base_url, sizeof(fresh.base_url), "%s", base);
        http_reload(server, &fresh);
        fprintf(stderr, PROGRAM ": configuration reloaded (base URL %s)\n", base);
    }
    fprintf(stderr, PROGRAM ": %s: stopping\n", strsignal(signal_number));
    http_stop(server);
    reminders_stop(reminders);
    sync_stop(sync);
    store_close(s);
    return EXIT_OK;
}
