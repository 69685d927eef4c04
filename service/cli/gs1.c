/*
 * `ocoptrace gs1`: GS1 helpers for people checking codes by hand.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char gs1_usage[] =
    "usage: ocoptrace gs1 check URI\n"
    "   or: ocoptrace gs1 check ELEMENT-STRING\n"
    "   or: ocoptrace gs1 check-digit DIGITS\n"
    "\n"
    "  check URI      parse a GS1 Digital Link URI and print its element string,\n"
    "                 (01)...(10)...(21)...(17)..., or every rule it breaks;\n"
    "                 a '(' inside a value is printed as \\(\n"
    "  check ELEMENT-STRING\n"
    "                 the other way: read (01)...(10)... (\\( for a '(' of a value)\n"
    "                 and print its Digital Link URI on the default resolver\n"
    "  check-digit DIGITS\n"
    "                 complete a GTIN given without its check digit (7, 11, 12 or\n"
    "                 13 digits) and print it as GTIN-14\n";

/* An element string read back into the Digital Link a label would carry. */
static int gs1_check_element_string(const char *text)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_link link;
    char uri[OCL_URI_MAX + 1];
    if (ocl_element_string_parse(text, &link, &problems) != OCL_OK ||
        ocl_link_build(NULL, &link, uri, sizeof(uri), &problems) != OCL_OK)
        return cli_report(&problems);
    puts(uri);
    return EXIT_OK;
}

static int gs1_check(const char *uri)
{
    if (uri[0] == '(')
        return gs1_check_element_string(uri);
    ocl_problems problems;
    ocl_problems_init(&problems);
    ocl_link link;
    if (ocl_link_parse(uri, &link, NULL, 0, &problems) != OCL_OK)
        return cli_report(&problems);
    char element[OCL_URI_MAX];
    if (ocl_link_element_string(&link, element, sizeof(element)) != OCL_OK) {
        cli_error("element string too long");
        return EXIT_FAILED;
    }
    puts(element);
    return EXIT_OK;
}

static int gs1_check_digit(const char *digits)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    size_t len = strlen(digits);
    int check = 0;
    if (strspn(digits, "0123456789") != len)
        ocl_problem_add(&problems, "digits", "must be digits only");
    else if (len != 7 && len != 11 && len != 12 && len != 13)
        ocl_problem_add(&problems, "digits",
                        "must be 7, 11, 12 or 13 digits (a GTIN without its check digit), "
                        "found %zu",
                        len);
    if (problems.count)
        return cli_report(&problems);
    ocl_gtin_check_digit(digits, len, &check);
    printf("%.*s%s%d\n", (int)(OCL_GTIN14_LEN - 1 - len), "000000", digits, check);
    return EXIT_OK;
}

int cmd_gs1(int argc, char **argv)
{
    int first = cli_parse_options(argc, argv, NULL, 0, gs1_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    if (argc - first == 2 && strcmp(argv[first], "check") == 0)
        return gs1_check(argv[first + 1]);
    if (argc - first == 2 && strcmp(argv[first], "check-digit") == 0)
        return gs1_check_digit(argv[first + 1]);
    fputs(gs1_usage, stderr);
    return EXIT_INVALID;
}
