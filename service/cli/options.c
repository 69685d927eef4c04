/*
 * Option parsing for every subcommand, from a table, so that each command
 * lists its options once and errors read the same everywhere.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#define OPTIONS_MAX 48

int cli_parse_options(int argc, char **argv, const cli_option *options, size_t count,
                      const char *usage)
{
    int help_wanted = 0, *help = &help_wanted;
    struct option longopts[OPTIONS_MAX + 2];
    char shortopts[2 * OPTIONS_MAX + 4] = ":h";
    size_t n = count < OPTIONS_MAX ? count : OPTIONS_MAX;
    for (size_t i = 0; i < n; i++) {
        longopts[i].name = options[i].name;
        longopts[i].has_arg = options[i].value ? required_argument : no_argument;
        longopts[i].flag = NULL;
        longopts[i].val = 256 + (int)i;
        if (options[i].short_name) {
            size_t len = strlen(shortopts);
            shortopts[len] = options[i].short_name;
            shortopts[len + 1] = options[i].value ? ':' : '\0';
            shortopts[len + 2] = '\0';
        }
    }
    longopts[n] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[n + 1] = (struct option){NULL, 0, NULL, 0};

    opterr = 0;
    optind = 1;
    *help = 0;
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == 'h') {
            *help = 1;
            continue;
        }
        if (c == '?' || c == ':') {
            const char *arg = argv[optind - 1];
            if (c == ':')
                cli_error("%s: option '%s' needs a value", argv[0], arg);
            else if (optopt)
                cli_error("%s: unknown option '-%c'", argv[0], optopt);
            else
                cli_error("%s: unknown option '%s'", argv[0], arg);
            return -1;
        }
        const cli_option *option = NULL;
        if (c >= 256)
            option = &options[c - 256];
        for (size_t i = 0; !option && i < n; i++)
            if (options[i].short_name == c)
                option = &options[i];
        if (!option)
            continue;
        if (option->value)
            *option->value = optarg;
        else if (option->flag)
            *option->flag = 1;
    }
    if (help_wanted) {
        fputs(usage, stdout);
        return CLI_HELP;
    }
    return optind;
}
