/*
 * `ocoptrace keys` and `ocoptrace certificate`: an officer's issuer key,
 * the certificate PDF with its signed code, and the offline check anyone
 * can run with the issuer's public key.
 */
#include "cli.h"
#include "job.h"
#include "seal.h"
#include "certificate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char keys_usage[] = "usage: ocoptrace keys generate --out ISSUER.key\n"
                                 "\n"
                                 "Writes a new Ed25519 key pair's secret key to ISSUER.key (mode "
                                 "0600; an\n"
                                 "existing file is never replaced) and prints the public key, to "
                                 "give to\n"
                                 "anyone who checks this issuer's certificates.\n";

static const char certificate_usage[] =
    "usage: ocoptrace certificate --json CERT.json --key ISSUER.key [--base-url URL] -o CERT.pdf\n"
    "   or: ocoptrace certificate verify --pub PUBKEY TEXT\n"
    "\n"
    "The first form checks the council's scores and the issuer's authority, and writes\n"
    "the star certificate (A4 landscape) with a QR code that opens the certificate's\n"
    "status page and carries the certificate's fields signed with ISSUER.key.\n"
    "The second checks, offline, what such a code holds (TEXT) against the issuer's\n"
    "public key (as 'keys generate' printed it, or a file holding it): exit 0 and the\n"
    "fields when the signature is valid, 1 when anything was altered, 2 when TEXT is\n"
    "not a certificate code.\n";

/* ---------- keys ---------- */

int cmd_keys(int argc, char **argv)
{
    const char *out = NULL;
    const cli_option options[] = {{"out", 0, &out, NULL}};
    int generate = argc > 1 && strcmp(argv[1], "generate") == 0;
    int first = cli_parse_options(argc - generate, argv + generate, options, 1, keys_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (!generate || argc - generate != first)
        ocl_problem_add(&problems, "keys", "expected 'keys generate --out FILE'");
    if (!out)
        ocl_problem_add(&problems, "out", "required: --out FILE for the secret key");
    if (problems.count)
        return cli_report(&problems);
    char public_text[128];
    if (seal_keys_generate(out, public_text, sizeof(public_text)) != 0) {
        cli_error(errno == EEXIST ? "cannot write '%s': it exists; an issuer key is never replaced"
                                  : "cannot write '%s': %s",
                  out, strerror(errno));
        return EXIT_FAILED;
    }
    puts(public_text);
    return EXIT_OK;
}

/* ---------- the certificate file ---------- */

static const jr_rule product_rules[] = {
    {"name", JR_TEXT, 1, NULL, 0},
    {"group", JR_TEXT, 1, NULL, 0},
    {"gtin", JR_TEXT, 0, NULL, 0},
    {NULL, 0, 0, NULL, 0},
};
static const jr_rule root_rules[] = {
    {"number", JR_TEXT, 1, NULL, 0},
    {"decision", JR_OBJECT, 1, certificate_decision_rules, 0},
    {"scores", JR_OBJECT, 1, certificate_score_rules, 0},
    {"producer", JR_OBJECT, 1, job_producer_rules, 0},
    {"product", JR_OBJECT, 1, product_rules, 0},
    {NULL, 0, 0, NULL, 0},
};

typedef struct {
    job_file job; /* the producer and product, read as a label job reads them */
    ocl_certificate cert;
} cert_file;

static void store(void *ctx, const char *path, const json_t *v, ocl_problems *problems)
{
    cert_file *cf = ctx;
    if (!job_store_common(&cf->job, path, v, problems))
        certificate_store_field(&cf->cert, path, v, problems);
}

/* Reads and checks the file: the scores' ranges, the stars, the authority
 * on the decision date, and the validity. */
static int cert_load(const char *path, cert_file *cf, ocl_problems *problems)
{
    memset(cf, 0, sizeof(*cf));
    size_t before = problems->count + problems->dropped;
    cf->job.root = jr_load(path, "json", problems);
    if (!cf->job.root)
        return -1;
    jr_read(cf->job.root, "", root_rules, store, cf, problems);
    ocl_certificate *c = &cf->cert;
    const ocl_label_job *job = &cf->job.job;
    c->product_name = job->text[OCL_FIELD_PRODUCT_NAME];
    c->group = job->group;
    c->gtin = job->gtin;
    c->producer_name = job->text[OCL_FIELD_PRODUCER_NAME];
    c->producer_address = job->text[OCL_FIELD_PRODUCER_ADDRESS];
    if (problems->count + problems->dropped != before)
        return -1;
    return certificate_rules(c, problems);
}

/* ---------- the commands ---------- */

static int certificate_issue(const char *json, const char *key, const char *base_url,
                             const char *output)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    if (!json)
        ocl_problem_add(&problems, "json", "required: --json CERT.json");
    if (!key)
        ocl_problem_add(&problems, "key", "required: --key ISSUER.key");
    if (!output)
        ocl_problem_add(&problems, "output", "required: -o FILE, or -o - for standard output");
    char base[OCL_BASE_URL_MAX];
    ocl_base_url_check(base_url ? base_url : OCL_DEFAULT_BASE_URL, base, &problems);
    unsigned char sk[crypto_sign_SECRETKEYBYTES];
    int have_key = key && seal_secret_load(key, "key", sk, &problems) == 0;
    cert_file cf;
    memset(&cf, 0, sizeof(cf));
    if (json)
        cert_load(json, &cf, &problems);
    int status = EXIT_OK;
    char url[2 * SEAL_TEXT_MAX + OCL_BASE_URL_MAX];
    if (problems.count) {
        status = cli_report(&problems);
    } else if (!have_key || seal_certificate_url(&cf.cert, base, sk, url, sizeof(url)) != 0) {
        cli_error("json: the certificate's fields are too long for its code");
        status = EXIT_INVALID;
    } else {
        cf.cert.qr_text = url;
        char font[4096];
        ocl_buffer pdf = {0};
        ocl_result rc = host_data_file("fonts/NotoSans-Regular.ttf", font, sizeof(font))
                            ? OCL_EIO
                            : ocl_certificate_pdf(&cf.cert, font, &pdf);
        if (rc != OCL_OK) {
            cli_error("cannot draw the certificate: %s", ocl_strerror(rc));
            status = EXIT_FAILED;
        } else if (cli_write_output(output, pdf.data, pdf.len) != 0) {
            status = EXIT_FAILED;
        }
        ocl_buffer_free(&pdf);
    }
    sodium_memzero(sk, sizeof(sk));
    job_free(&cf.job);
    return status;
}

static void print_date_field(const char *name, const char *digits)
{
    printf("%s: %.4s-%.2s-%.2s\n", name, digits, digits + 4, digits + 6);
}

static int certificate_verify(const char *pub, int argc, char **argv, int first)
{
    ocl_problems problems;
    ocl_problems_init(&problems);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES];
    if (!pub)
        ocl_problem_add(&problems, "pub", "required: --pub PUBKEY");
    else
        seal_public_parse(pub, pk, &problems);
    if (argc - first != 1)
        ocl_problem_add(&problems, "text", "required: the text the certificate's code holds");
    if (problems.count)
        return cli_report(&problems);
    seal_fields fields;
    int rc = seal_verify(argv[first], pk, &fields, &problems);
    if (rc == 2)
        return cli_report(&problems);
    if (rc == 1) {
        cli_error("signature does not match");
        return EXIT_FAILED;
    }
    for (int i = 1; i < SEAL_FIELDS; i++) {
        if (i == 3 || i == 7)
            print_date_field(seal_field_names[i], fields.field[i]);
        else if (i == 4)
            printf("level: %s\n", fields.field[i][0] == 'd'   ? "district"
                                  : fields.field[i][0] == 'n' ? "national"
                                                              : "province");
        else
            printf("%s: %s\n", seal_field_names[i], fields.field[i]);
    }
    ocl_date until = {0}, today;
    sscanf(fields.field[7], "%4d%2d%2d", &until.year, &until.month, &until.day);
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    today = (ocl_date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
    printf("status today: %s (revocation is known only to the issuer's site)\n",
           ocl_status_name(ocl_ocop_status(&until, 0, &today)));
    puts("signature valid");
    return EXIT_OK;
}

int cmd_certificate(int argc, char **argv)
{
    const char *json = NULL, *key = NULL, *base_url = NULL, *output = NULL, *pub = NULL;
    int verify = argc > 1 && strcmp(argv[1], "verify") == 0;
    const cli_option options[] = {
        {"json", 0, &json, NULL},       {"key", 0, &key, NULL}, {"base-url", 0, &base_url, NULL},
        {"output", 'o', &output, NULL}, {"pub", 0, &pub, NULL},
    };
    int first = cli_parse_options(argc - verify, argv + verify, options,
                                  sizeof(options) / sizeof(options[0]), certificate_usage);
    if (first < 0)
        return CLI_PARSE_EXIT(first);
    if (verify)
        return certificate_verify(pub, argc - verify, argv + verify, first);
    if (first < argc) {
        cli_error("certificate: unexpected argument '%s'", argv[first]);
        return EXIT_INVALID;
    }
    return certificate_issue(json, key, base_url, output);
}
