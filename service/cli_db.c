/*
 * `ocoptrace db` and `ocoptrace user`: the database's schema and backups,
 * and the users who hold API tokens. Each takes --db and --config as the
 * daemon does, and creates and migrates a missing database.
 */
#include "cli.h"
#include "config.h"
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char db_usage[] =
    "usage: ocoptrace db migrate [--db PATH] [--config FILE]\n"
    "   or: ocoptrace db backup FILE [--db PATH] [--config FILE]\n"
    "\n"
    "  migrate   create the database if missing and bring its schema up to date\n"
    "  backup    write an online copy of the whole database to FILE\n"
    "\n"
    "The database is --db, else [database] path in the config file, else\n"
    "" CONFIG_DEFAULT_DB ".\n";

static const char user_usage[] =
    "usage: ocoptrace user add --role admin|officer|producer [--producer ID] NAME\n"
    "                          [--db PATH] [--config FILE]\n"
    "\n"
    "Adds a user and prints a new API token once, as the last line: only its hash\n"
    "is stored. A producer user needs --producer, the producer record it may change.\n";

/* The verb after the command ("migrate", "add"): argv shifted past it. */
static const char *take_verb(int *argc, char ***argv)
{
    if (*argc < 2 || (*argv)[1][0] == '-')
        return NULL;
    const char *verb = (*argv)[1];
    (*argc)--;
    (*argv)++;
    return verb;
}

/* Opens the database named by --db, the config file or the default. */
static store *open_store(const char *db, const char *config_path, ocl_problems *problems)
{
    config c;
    if (config_load(config_path, &c, problems) != 0)
        return NULL;
    char error[STORE_ERROR_MAX];
    store *s = store_open(db ? db : c.db, error);
    if (!s)
        cli_error("database '%s': %s", db ? db : c.db, error);
    return s;
}

int cmd_db(int argc, char **argv)
{
    const char *db = NULL, *config_path = NULL;
    const cli_option options[] = {{"db", 0, &db, NULL}, {"config", 0, &config_path, NULL}};
    const char *verb = take_verb(&argc, &argv);
    int first = cli_parse_options(argc, argv, options, 2, db_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    ocl_problems problems;
    ocl_problems_init(&problems);
    int migrate = verb && strcmp(verb, "migrate") == 0 && first == argc;
    int backup = verb && strcmp(verb, "backup") == 0 && first == argc - 1;
    if (!migrate && !backup) {
        fputs(db_usage, stderr);
        return EXIT_INVALID;
    }
    store *s = open_store(db, config_path, &problems);
    if (problems.count)
        return cli_report(&problems);
    if (!s)
        return EXIT_FAILED;
    int status = EXIT_OK;
    char error[STORE_ERROR_MAX];
    if (migrate)
        printf("schema version %d (%d migration%s applied)\n", store_version(s), store_applied(s),
               store_applied(s) == 1 ? "" : "s");
    else if (store_backup(s, argv[first], error) != 0)
        cli_error("backup '%s': %s", argv[first], error), status = EXIT_FAILED;
    store_close(s);
    return status;
}

int cmd_user(int argc, char **argv)
{
    const char *db = NULL, *config_path = NULL, *role_name = NULL, *producer = NULL;
    const cli_option options[] = {
        {"db", 0, &db, NULL},
        {"config", 0, &config_path, NULL},
        {"role", 0, &role_name, NULL},
        {"producer", 0, &producer, NULL},
    };
    const char *verb = take_verb(&argc, &argv);
    int first = cli_parse_options(argc, argv, options, 4, user_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (!verb || strcmp(verb, "add") != 0 || first != argc - 1) {
        fputs(user_usage, stderr);
        return EXIT_INVALID;
    }
    const char *name = argv[first];
    int role = store_role_parse(role_name);
    int producer_id = 0;
    if (role < 0)
        ocl_problem_add(&problems, "role", "must be admin, officer or producer");
    if (!*name || strlen(name) > 64 ||
        ocl_utf8_invalid_at((const unsigned char *)name, strlen(name)) != (size_t)-1)
        ocl_problem_add(&problems, "name", "must be 1 to 64 bytes of UTF-8");
    if (role == ROLE_PRODUCER && !producer)
        ocl_problem_add(&problems, "producer", "required for a producer user: its producer ID");
    else if (role != ROLE_PRODUCER && producer)
        ocl_problem_add(&problems, "producer", "only for producer users");
    else if (producer)
        cli_parse_int(producer, "producer", 1, 2000000000, &producer_id, &problems);
    store *s = problems.count ? NULL : open_store(db, config_path, &problems);
    if (s && role == ROLE_PRODUCER && store_producer_exists(s, producer_id) != 1)
        ocl_problem_add(&problems, "producer", "no producer with ID %d", producer_id);
    int status = EXIT_OK;
    char token[STORE_TOKEN_MAX], error[STORE_ERROR_MAX];
    if (problems.count) {
        status = cli_report(&problems);
    } else if (!s) {
        status = EXIT_FAILED;
    } else {
        long rc = store_user_add(s, name, (store_role)role, producer_id, token, error);
        if (rc == -2) {
            ocl_problem_add(&problems, "name", "'%s' is taken", name);
            status = cli_report(&problems);
        } else if (rc < 0) {
            cli_error("%s", error);
            status = EXIT_FAILED;
        } else {
            printf("user '%s' added as %s; its API token, shown only now:\n%s\n", name,
                   store_role_name((store_role)role), token);
        }
    }
    store_close(s);
    return status;
}
