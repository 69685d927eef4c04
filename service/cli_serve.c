/*
 * `ocoptrace serve`: the daemon. Flags over the config file over safe
 * defaults; SIGTERM and SIGINT stop it after the requests in flight.
 */
#include "cli.h"
#include "http.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char serve_usage[] =
    "usage: ocoptrace serve [--config FILE] [--listen ADDR:PORT] [--db PATH] [--base-url URL]\n"
    "\n"
    "Serves the HTTP API under /api/v1 (Authorization: Bearer TOKEN), /healthz and\n"
    "/metrics, and the public resolver (/01/..., /lot/...). Defaults: "
    "listen\n" CONFIG_DEFAULT_LISTEN ", database " CONFIG_DEFAULT_DB
    ", base URL " OCL_DEFAULT_BASE_URL ".\n"
    "SIGTERM or SIGINT stops it after the requests in flight; SIGHUP reloads the\n"
    "config file. A sample config and a systemd unit are in service/.\n";

int cmd_serve(int argc, char **argv)
{
    const char *config_path = NULL, *listen = NULL, *db = NULL, *base_url = NULL;
    const cli_option options[] = {
        {"config", 0, &config_path, NULL},
        {"listen", 0, &listen, NULL},
        {"db", 0, &db, NULL},
        {"base-url", 0, &base_url, NULL},
    };
    int first = cli_parse_options(argc, argv, options, 4, serve_usage);
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
                 {base_url, c.base_url, sizeof(c.base_url), "base-url"}};
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
    fprintf(stderr, PROGRAM ": serving http://%s/ (database %s)\n", c.listen, c.db);
    int signal_number = 0;
    /* SIGHUP reloads the config file (flags still win); the log is stderr,
     * which the service manager owns, so there is no file to reopen. */
    while (sigwait(&stop, &signal_number) == 0 && signal_number == SIGHUP) {
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
    store_close(s);
    return EXIT_OK;
}
