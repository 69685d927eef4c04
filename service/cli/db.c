/*
 * `ocoptrace db`, `user` and `sync`: the database's schema and backups, the
 * users who hold API tokens, and the deliveries owed to the remote system.
 * Each takes --db and --config as the daemon does, and creates and migrates
 * a missing database.
 */
#include "cli.h"
#include "database.h"
#include "config.h"
#include "mail.h"
#include "store/store.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char db_usage[] =
    "usage: ocoptrace db migrate [--db URL] [--config FILE]\n"
    "   or: ocoptrace db backup FILE [--db URL] [--config FILE]\n"
    "   or: ocoptrace db copy --from URL --to URL\n"
    "\n"
    "  migrate   create the database if missing and bring its schema up to date\n"
    "  backup    write an online copy of a SQLite database to FILE (PostgreSQL has\n"
    "            its own tools: pg_dump)\n"
    "  copy      move an installation: every row of --from into --to, a new database,\n"
    "            ids kept, in one transaction; then every table is counted on both\n"
    "            sides and the counts printed\n"
    "\n"
    "A database is sqlite:PATH (or a bare PATH) or postgresql://... (libpq's URL;\n"
    "\"postgresql:\" alone reads PGHOST, PGDATABASE... from the environment). It is\n"
    "--db, else [store] url in the config file, else " CONFIG_DEFAULT_DB ".\n";

static const char user_usage[] =
    "usage: ocoptrace user add --role admin|officer|producer|reader|commune|council\n"
    "                          [--producer ID] [--email ADDRESS] [--chair] [--password]\n"
    "                          NAME [--db URL] [--config FILE]\n"
    "   or: ocoptrace user password NAME [--db URL] [--config FILE]\n"
    "\n"
    "'add' adds a user and prints a new API token once, as the last line: only its\n"
    "hash is stored. A producer user needs --producer, the producer record it may\n"
    "change; a reader may only read EPCIS events (GET /epcis/events). A commune\n"
    "user receives and checks dossiers; a council user scores them, and the one\n"
    "added with --chair closes the scoring. --email is where reminders go. With\n"
    "--password, and with 'password', the first line of standard input (8 to 128\n"
    "bytes) becomes the password for the web pages, kept as an Argon2id hash.\n";

static const char sync_usage[] =
    "usage: ocoptrace sync status [--db URL] [--config FILE]\n"
    "   or: ocoptrace sync retry ID|--dead [--db URL] [--config FILE]\n"
    "\n"
    "  status   deliveries to the remote system: pending, retrying, dead, delivered,\n"
    "           the last error and success, and each dead letter\n"
    "  retry    puts dead letter ID (or every one, --dead) back in line; a running\n"
    "           service sends it within a second\n";

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

/* The same, having said why when it cannot: NULL with *status set. */
store *cli_open_store(const char *db, const char *config_path, int *status)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    store *s = open_store(db, config_path, &problems);
    if (problems.count)
        *status = cli_report(&problems);
    else if (!s)
        *status = EXIT_FAILED;
    return problems.count ? (store_close(s), NULL) : s;
}

/* `db copy`: both databases opened (and migrated), the rows copied, the
 * counts printed. */
static int db_copy(const char *from_url, const char *to_url)
{
    char error[STORE_ERROR_MAX];
    store *from = store_open(from_url, error), *to = NULL;
    if (!from)
        cli_error("database '%s': %s", from_url, error);
    else if (!(to = store_open(to_url, error)))
        cli_error("database '%s': %s", to_url, error);
    store_copy_count counts[STORE_COPY_TABLES];
    int count = 0, status = EXIT_FAILED;
    if (from && to && store_copy(from, to, counts, &count, error) != 0)
        cli_error("copy: %s; nothing was written", error);
    else if (from && to)
        status = EXIT_OK;
    long long rows = 0;
    for (int i = 0; i < count; i++) {
        printf("%-18s %10lld %10lld\n", counts[i].table, counts[i].from, counts[i].to);
        rows += counts[i].to;
    }
    if (status == EXIT_OK)
        printf("copied %lld rows of %d tables; every table counts the same on both sides\n", rows,
               count);
    store_close(from);
    store_close(to);
    return status;
}

int cmd_db(int argc, char **argv)
{
    const char *db = NULL, *config_path = NULL, *from = NULL, *to = NULL;
    const cli_option options[] = {{"db", 0, &db, NULL},
                                  {"config", 0, &config_path, NULL},
                                  {"from", 0, &from, NULL},
                                  {"to", 0, &to, NULL}};
    const char *verb = take_verb(&argc, &argv);
    int first = cli_parse_options(argc, argv, options, 4, db_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    int migrate = verb && strcmp(verb, "migrate") == 0 && first == argc;
    int backup = verb && strcmp(verb, "backup") == 0 && first == argc - 1;
    int copy = verb && strcmp(verb, "copy") == 0 && first == argc;
    if (copy && (!from || !to)) {
        cli_error("copy: %s is required: the database to copy %s", from ? "--to" : "--from",
                  from ? "into (a new one)" : "from");
        return EXIT_INVALID;
    }
    if (copy)
        return db_copy(from, to);
    if (!migrate && !backup) {
        fputs(db_usage, stderr);
        return EXIT_INVALID;
    }
    int status = EXIT_OK;
    store *s = cli_open_store(db, config_path, &status);
    if (!s)
        return status;
    char error[STORE_ERROR_MAX];
    if (migrate)
        printf("schema version %d (%d migration%s applied)\n", store_version(s), store_applied(s),
               store_applied(s) == 1 ? "" : "s");
    else if (store_backup(s, argv[first], error) != 0)
        cli_error("backup '%s': %s", argv[first], error), status = EXIT_FAILED;
    store_close(s);
    return status;
}

/* A password from standard input: its first line, without the newline. */
static void read_password(char *out, size_t size, ocl_problems *problems)
{
    if (!fgets(out, (int)size, stdin))
        out[0] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    size_t len = strlen(out);
    if (len < 8 || len > 128 || ocl_utf8_invalid_at((const unsigned char *)out, len) != (size_t)-1)
        ocl_problem_add(problems, "password",
                        "must be 8 to 128 bytes of UTF-8 on the first line of standard input");
}

static int user_password(const char *db, const char *config_path, const char *name)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    char password[160];
    read_password(password, sizeof(password), &problems);
    store *s = problems.count ? NULL : open_store(db, config_path, &problems);
    int status = EXIT_OK;
    if (problems.count) {
        status = cli_report(&problems);
    } else if (!s) {
        status = EXIT_FAILED;
    } else {
        int rc = store_user_password(s, name, password);
        if (rc == 0)
            ocl_problem_add(&problems, "name", "no user '%s'", name),
                status = cli_report(&problems);
        else if (rc < 0)
            cli_error("cannot set the password of '%s'", name), status = EXIT_FAILED;
        else
            printf("password of '%s' set\n", name);
    }
    sodium_memzero(password, sizeof(password));
    store_close(s);
    return status;
}

int cmd_user(int argc, char **argv)
{
    const char *db = NULL, *config_path = NULL, *role_name = NULL, *producer = NULL, *email = NULL;
    int with_password = 0, chair = 0;
    const cli_option options[] = {
        {"db", 0, &db, NULL},
        {"config", 0, &config_path, NULL},
        {"role", 0, &role_name, NULL},
        {"producer", 0, &producer, NULL},
        {"password", 0, NULL, &with_password},
        {"email", 0, &email, NULL},
        {"chair", 0, NULL, &chair},
    };
    const char *verb = take_verb(&argc, &argv);
    int first = cli_parse_options(argc, argv, options, 7, user_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (verb && strcmp(verb, "password") == 0 && first == argc - 1 && !role_name && !producer)
        return user_password(db, config_path, argv[first]);
    if (!verb || strcmp(verb, "add") != 0 || first != argc - 1) {
        fputs(user_usage, stderr);
        return EXIT_INVALID;
    }
    const char *name = argv[first];
    char password[160] = "";
    if (with_password)
        read_password(password, sizeof(password), &problems);
    int role = store_role_parse(role_name);
    int producer_id = 0;
    if (role < 0)
        ocl_problem_add(&problems, "role",
                        "must be admin, officer, producer, reader, commune or council");
    if (email && !mail_address_valid(email))
        ocl_problem_add(&problems, "email", "must be an e-mail address (name@domain)");
    if (chair && role != ROLE_COUNCIL)
        ocl_problem_add(&problems, "chair", "only a council user chairs the council");
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
        store_new_user added = {name, (store_role)role, producer_id, email, chair};
        long rc = store_user_add(s, &added, token, error);
        if (rc == -2) {
            ocl_problem_add(&problems, "name", "'%s' is taken", name);
            status = cli_report(&problems);
        } else if (rc < 0) {
            cli_error("%s", error);
            status = EXIT_FAILED;
        } else if (with_password && store_user_password(s, name, password) != 1) {
            cli_error("user '%s' added, but its password could not be set", name);
            status = EXIT_FAILED;
        } else {
            printf("user '%s' added as %s; its API token, shown only now:\n%s\n", name,
                   store_role_name((store_role)role), token);
        }
    }
    sodium_memzero(password, sizeof(password));
    store_close(s);
    return status;
}

static void print_sync_status(const json_t *status)
{
    static const char *const counts[] = {"pending", "retrying", "dead", "delivered"};
    for (size_t i = 0; i < 4; i++)
        printf("%s: %lld\n", counts[i],
               (long long)json_integer_value(json_object_get(status, counts[i])));
    const char *error = json_string_value(json_object_get(status, "last_error"));
    const char *success = json_string_value(json_object_get(status, "last_success"));
    printf("last error: %s\nlast success: %s\n", error ? error : "none",
           success ? success : "none");
    size_t i;
    json_t *dead;
    json_array_foreach(json_object_get(status, "dead_letters"), i, dead)
    {
        const char *why = json_string_value(json_object_get(dead, "error"));
        const char *response = json_string_value(json_object_get(dead, "response"));
        printf("dead %lld %s %s: %s%s%.200s\n",
               (long long)json_integer_value(json_object_get(dead, "id")),
               json_string_value(json_object_get(dead, "kind")),
               json_string_value(json_object_get(dead, "key")), why ? why : "",
               response ? "; the remote said: " : "", response ? response : "");
    }
}

static int sync_retry(store *s, const char *id_text, int all)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    int id = 0;
    if (!all && !id_text)
        ocl_problem_add(&problems, "id", "required: a dead letter's ID, or --dead for all");
    else if (all && id_text)
        ocl_problem_add(&problems, "id", "give an ID or --dead, not both");
    else if (id_text)
        cli_parse_int(id_text, "id", 1, 2000000000, &id, &problems);
    if (problems.count)
        return cli_report(&problems);
    long n = store_sync_retry(s, id);
    if (n < 0) {
        cli_error("cannot put the dead letters back");
        return EXIT_FAILED;
    }
    if (n == 0 && id) {
        ocl_problem_add(&problems, "id", "no dead letter %d", id);
        return cli_report(&problems);
    }
    printf("%ld dead letter%s back in line\n", n, n == 1 ? "" : "s");
    return EXIT_OK;
}

int cmd_sync(int argc, char **argv)
{
    const char *db = NULL, *config_path = NULL;
    int all = 0;
    const cli_option options[] = {
        {"db", 0, &db, NULL}, {"config", 0, &config_path, NULL}, {"dead", 0, NULL, &all}};
    const char *verb = take_verb(&argc, &argv);
    int first = cli_parse_options(argc, argv, options, 3, sync_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    int status_verb = verb && strcmp(verb, "status") == 0 && first == argc && !all;
    int retry_verb = verb && strcmp(verb, "retry") == 0 && argc - first <= 1;
    if (!status_verb && !retry_verb) {
        fputs(sync_usage, stderr);
        return EXIT_INVALID;
    }
    int status = EXIT_OK;
    store *s = cli_open_store(db, config_path, &status);
    if (!s)
        return status;
    if (retry_verb) {
        status = sync_retry(s, first < argc ? argv[first] : NULL, all);
    } else {
        json_t *state = store_sync_status(s);
        if (state)
            print_sync_status(state);
        else
            cli_error("cannot read the outbox"), status = EXIT_FAILED;
        json_decref(state);
    }
    store_close(s);
    return status;
}
