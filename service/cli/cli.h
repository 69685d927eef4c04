/*
 * What the subcommands of `ocoptrace` share: exit codes, the program name
 * in messages, option helpers and the one way output files are written.
 */
#ifndef OCOPTRACE_CLI_H
#define OCOPTRACE_CLI_H

#include "clock.h"
#include "host.h"
#include "ocoplabels.h"

#include <stddef.h>

#define OCOPTRACE_VERSION OCL_VERSION

/* Exit codes: 0 success, 1 the work failed (I/O, resources), 2 the input
 * was refused (problems printed one per line), 3 usage error. */
enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_INVALID = 2 };

#define PROGRAM "ocoptrace"

/* Prints "ocoptrace: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the problems and returns EXIT_INVALID. */
int cli_report(const ocl_problems *problems);

/* Parses a whole decimal number within [min, max] into *value, or adds a
 * problem naming the field. */
int cli_parse_int(const char *text, const char *field, int min, int max, int *value,
                  ocl_problems *problems);

/* Writes data to path, or to standard output when path is "-". A file is
 * written beside its final name and renamed into place, so a failure never
 * leaves a partial file. Returns 0, or -1 after printing the reason. */
int cli_write_output(const char *path, const void *data, size_t len);

/* One option of a subcommand: a value option stores its argument in
 * *value, a flag sets *flag to 1. */
typedef struct {
    const char *name; /* long name without "--" */
    char short_name;  /* 0 for none */
    const char **value;
    int *flag;
} cli_option;

/* Parses options with getopt_long. Returns the index of the first operand;
 * CLI_HELP after printing `usage` for --help or -h; or -1 after printing
 * what was wrong. */
#define CLI_HELP (-2)
int cli_parse_options(int argc, char **argv, const cli_option *options, size_t count,
                      const char *usage);
/* The exit status for a negative cli_parse_options result. */
#define CLI_PARSE_EXIT(first) ((first) == CLI_HELP ? EXIT_OK : EXIT_INVALID)

/* Subcommands: argv[0] is the subcommand's name. */
int cmd_qr(int argc, char **argv);
int cmd_gs1(int argc, char **argv);
int cmd_labels(int argc, char **argv);
int cmd_stamps(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_certificate(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_reminders(int argc, char **argv);

#endif
