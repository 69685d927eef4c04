/*
 * `ocoptrace`: the entry point. Finds the subcommand and hands it the rest
 * of the command line; global options are --help and --version only.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: ocoptrace [--version] [--help] COMMAND [ARGS]\n"
    "\n"
    "Traceability codes, labels and certificates for OCOP products.\n"
    "\n"
    "Commands:\n"
    "  qr       write a GS1 Digital Link QR code (PNG or SVG), or a batch of codes\n"
    "  gs1      check a Digital Link URI; complete a GTIN's check digit\n"
    "  labels   print a lot's labels as a PDF sheet, one serialized code per unit\n"
    "  stamps   print a lot's traceability stamps: code, serial, name, OCOP mark\n"
    "  certificate  issue an OCOP star certificate (PDF, signed code); verify a code\n"
    "  keys     generate an issuer's signing key\n"
    "  db       migrate the database's schema; back it up\n"
    "  user     add a user with an API token\n"
    "  serve    run the HTTP service\n"
    "  sync     deliveries to the remote system: status, retry dead letters\n"
    "  trace    a lot's trace, offline: what it was made from and where it went\n"
    "  reminders  renewal reminders due: write them now; the mail outbox's state\n"
    "\n"
    "'ocoptrace COMMAND --help' describes a command.\n"
    "Exit status: 0 done, 1 failed (I/O), 2 input refused (one line per problem).\n";

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"qr", cmd_qr},         {"gs1", cmd_gs1},
    {"labels", cmd_labels}, {"certificate", cmd_certificate},
    {"keys", cmd_keys},     {"db", cmd_db},
    {"user", cmd_user},     {"serve", cmd_serve},
    {"sync", cmd_sync},     {"trace", cmd_trace},
    {"stamps", cmd_stamps}, {"reminders", cmd_reminders},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_INVALID;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("ocoptrace %s\n", OCOPTRACE_VERSION);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    cli_error("'%s' is not a command; see 'ocoptrace --help'", name);
    return EXIT_INVALID;
}
