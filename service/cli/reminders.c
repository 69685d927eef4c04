/*
 * `ocoptrace reminders`: one due-reminder run by hand (or from cron when
 * no daemon runs), and how the mail outbox stands.
 */
#include "cli.h"
#include "host.h"
#include "config.h"
#include "database.h"
#include "reminders.h"

#include <stdio.h>
#include <string.h>

static const char reminders_usage[] =
    "usage: ocoptrace reminders run [--today YYYY-MM-DD] [--db URL] [--config FILE]\n"
    "   or: ocoptrace reminders status [--db URL] [--config FILE]\n"
    "\n"
    "  run      writes the renewal reminders due today (or on --today): for each\n"
    "           certificate in force, when the renewal window opens (180 days before\n"
    "           it ends) and 30 days before it closes (150 days), unless the product's\n"
    "           renewal dossier is in, then within 30 days and again within 7, one\n"
    "           reminder, a notice for its producer's users and every officer, and a\n"
    "           mail to each of them with an address; prints how many of each. A\n"
    "           running service does this every [reminders] every_s and sends the\n"
    "           mails through [mail] smtp_url\n"
    "  status   the mail outbox: pending, retrying, sent, dead, the last error, and\n"
    "           each dead mail with the server's reply\n";

static int run(store *s, const config *c, const char *today_flag)
{
    char today[11], error[STORE_ERROR_MAX];
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (today_flag && (strlen(today_flag) != 10 || today_flag[4] != '-' || today_flag[7] != '-'))
        ocl_problem_add(&problems, "today", "must be a date YYYY-MM-DD, not '%s'", today_flag);
    if (problems.count)
        return cli_report(&problems);
    if (today_flag)
        snprintf(today, sizeof(today), "%s", today_flag);
    else
        clock_day(0, today);
    store_reminder_counts counts = {0, 0, 0};
    host_background(); /* as the daemon's run: a cron job beside a busy service */
    int rc = reminders_run(s, c, today, &counts, error, sizeof(error));
    printf("reminders: %ld\nnotices: %ld\nmails: %ld\n", counts.reminders, counts.notices,
           counts.mails);
    if (rc != 0) {
        cli_error("reminders on %s: %s", today, error);
        return strncmp(error, "today", 5) == 0 ? EXIT_INVALID : EXIT_FAILED;
    }
    return EXIT_OK;
}

static int status(store *s)
{
    json_t *state = store_mail_status(s);
    if (!state) {
        cli_error("cannot read the mail outbox");
        return EXIT_FAILED;
    }
    static const char *const counts[] = {"pending", "retrying", "sent", "dead"};
    for (size_t i = 0; i < 4; i++)
        printf("%s: %lld\n", counts[i],
               (long long)json_integer_value(json_object_get(state, counts[i])));
    const char *last = json_string_value(json_object_get(state, "last_error"));
    printf("last error: %s\n", last ? last : "none");
    size_t i;
    json_t *dead;
    json_array_foreach(json_object_get(state, "dead_letters"), i, dead)
    {
        const char *why = json_string_value(json_object_get(dead, "error"));
        printf("dead %lld %s %s: %s\n", (long long)json_integer_value(json_object_get(dead, "id")),
               json_string_value(json_object_get(dead, "recipient")),
               json_string_value(json_object_get(dead, "message_id")), why ? why : "");
    }
    json_decref(state);
    return EXIT_OK;
}

int cmd_reminders(int argc, char **argv)
{
    const char *db = NULL, *config_path = NULL, *today = NULL;
    const cli_option options[] = {
        {"db", 0, &db, NULL}, {"config", 0, &config_path, NULL}, {"today", 0, &today, NULL}};
    const char *verb = argc >= 2 && argv[1][0] != '-' ? argv[1] : NULL;
    if (verb) {
        argc--;
        argv++;
    }
    int first = cli_parse_options(argc, argv, options, 3, reminders_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    int run_verb = verb && strcmp(verb, "run") == 0;
    int status_verb = verb && strcmp(verb, "status") == 0 && !today;
    if ((!run_verb && !status_verb) || first < argc) {
        fputs(reminders_usage, stderr);
        return EXIT_INVALID;
    }
    ocl_problems problems;
    ocl_problems_init(&problems);
    config c;
    if (config_load(config_path, &c, &problems) != 0)
        return cli_report(&problems);
    int exit_status = EXIT_OK;
    store *s = cli_open_store(db, config_path, &exit_status);
    if (!s)
        return exit_status;
    exit_status = run_verb ? run(s, &c, today) : status(s);
    store_close(s);
    return exit_status;
}
