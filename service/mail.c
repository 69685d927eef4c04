/*
 * E-mail over SMTP with libcurl: a message's RFC 5322 text, and one
 * attempt at sending it, judged as sent, to retry, or refused for good.
 * TLS is verified as for the pushes to the remote system: smtps:// is TLS
 * from the start; smtp:// upgrades with STARTTLS when the server offers
 * it, and must when a password would go over the connection.
 */
#include "mail.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLY_MAX     300 /* of the server's last reply kept for the error */
#define WORD_BYTES    45  /* of UTF-8 in one encoded word: 60 in base64, under RFC 2047's 75 */
#define BODY_LINE_B64 76  /* base64 characters a body line holds */
#define HEADERS_MAX   2048

struct mail_sender {
    CURL *curl;
    config config;
    char command[8];             /* the last SMTP command sent: "RCPT", "DATA"... */
    char reply[REPLY_MAX + 1];   /* the server's first 4xx or 5xx reply, else its last */
    char refused_command[8];     /* the command that reply answered, when one was refused */
    char error[CURL_ERROR_SIZE]; /* libcurl's words */
    const char *text;            /* the message being uploaded */
    size_t len, sent;
};

const char *mail_domain(const char *address)
{
    const char *at = address ? strrchr(address, '@') : NULL;
    return at && at[1] ? at + 1 : "localhost";
}

/* A growing text; on a failed allocation it stays NULL. */
typedef struct {
    char *text;
    size_t len, room;
} growing;

static void append(growing *g, const char *data, size_t len)
{
    if (!g->text && g->room)
        return;
    if (g->len + len + 1 > g->room) {
        size_t room = (g->len + len + 1) * 2;
        char *bigger = realloc(g->text, room);
        if (!bigger) {
            free(g->text);
            g->text = NULL;
            g->room = 1;
            return;
        }
        g->text = bigger;
        g->room = room;
    }
    memcpy(g->text + g->len, data, len);
    g->len += len;
    g->text[g->len] = '\0';
}

static void append_text(growing *g, const char *text)
{
    append(g, text, strlen(text));
}

static void append_base64(growing *g, const unsigned char *data, size_t len)
{
    enum { line_bytes = BODY_LINE_B64 / 4 * 3 };
    char encoded[BODY_LINE_B64 + 1];
    for (size_t at = 0; at < len;) {
        size_t take = len - at < line_bytes ? len - at : line_bytes;
        sodium_bin2base64(encoded, sizeof(encoded), data + at, take,
                          sodium_base64_VARIANT_ORIGINAL);
        append_text(g, encoded);
        append_text(g, "\r\n");
        at += take;
    }
}

/* Where a run of at most `max` bytes of UTF-8 may end: not inside a
 * character. */
static size_t utf8_cut(const char *text, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t cut = max;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
        cut--;
    return cut ? cut : max;
}

/* The subject as RFC 2047 "B" encoded words, folded one to a line. */
static void append_subject(growing *g, const char *subject)
{
    char encoded[2 * WORD_BYTES + 8];
    size_t len = strlen(subject);
    append_text(g, "Subject:");
    for (size_t at = 0; at < len;) {
        size_t take = utf8_cut(subject + at, len - at, WORD_BYTES);
        sodium_bin2base64(encoded, sizeof(encoded), (const unsigned char *)subject + at, take,
                          sodium_base64_VARIANT_ORIGINAL);
        append_text(g, at ? "\r\n =?UTF-8?B?" : " =?UTF-8?B?");
        append_text(g, encoded);
        append_text(g, "?=");
        at += take;
    }
    append_text(g, "\r\n");
}

/* RFC 5322's date, in English whatever the locale. */
static void format_date(time_t date, char out[40])
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm t;
    gmtime_r(&date, &t);
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[t.tm_wday % 7], t.tm_mday,
             months[t.tm_mon % 12], t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec);
}

char *mail_compose(const char *from, const mail_message *m, time_t date)
{
    growing g = {NULL, 0, 0}, body = {NULL, 0, 0};
    char headers[HEADERS_MAX], when[40];
    format_date(date, when);
    snprintf(headers, sizeof(headers),
             "From: OCOP <%s>\r\nTo: <%s>\r\nDate: %s\r\nMessage-ID: %s\r\n", from, m->recipient,
             when, m->message_id);
    append_text(&g, headers);
    append_subject(&g, m->subject);
    append_text(&g, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                    "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n");
    /* Lines of the body end in CRLF, as the text/plain type wants. */
    for (const char *line = m->body; *line;) {
        size_t n = strcspn(line, "\n");
        append(&body, line, n > 0 && line[n - 1] == '\r' ? n - 1 : n);
        append_text(&body, "\r\n");
        line += n + (line[n] == '\n');
    }
    if (body.text)
        append_base64(&g, (const unsigned char *)body.text, body.len);
    else if (m->body[0]) {
        free(g.text);
        g.text = NULL;
    }
    free(body.text);
    return g.text;
}

mail_sender *mail_sender_new(const config *c)
{
    mail_sender *s = calloc(1, sizeof(*s));
    if (!s || !(s->curl = curl_easy_init())) {
        free(s);
        return NULL;
    }
    s->config = *c;
    return s;
}

void mail_sender_free(mail_sender *s)
{
    if (!s)
        return;
    curl_easy_cleanup(s->curl);
    free(s);
}

static size_t read_message(char *buffer, size_t size, size_t n, void *user)
{
    mail_sender *s = user;
    size_t room = size * n, left = s->len - s->sent;
    size_t take = left < room ? left : room;
    memcpy(buffer, s->text + s->sent, take);
    s->sent += take;
    return take;
}

/* The conversation as libcurl sees it: the last command sent and the
 * last reply received, which tell a refused recipient from the rest. */
static int watch(CURL *curl, curl_infotype type, char *data, size_t len, void *user)
{
    (void)curl;
    mail_sender *s = user;
    if (type == CURLINFO_HEADER_OUT && len >= 4) {
        snprintf(s->command, sizeof(s->command), "%.4s", data);
    } else if (type == CURLINFO_HEADER_IN && !s->refused_command[0]) {
        /* The refusal is kept: libcurl's QUIT after it gets a 221. */
        while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
            len--;
        snprintf(s->reply, sizeof(s->reply), "%.*s", (int)(len < REPLY_MAX ? len : REPLY_MAX),
                 data);
        if (len >= 3 && (data[0] == '4' || data[0] == '5'))
            snprintf(s->refused_command, sizeof(s->refused_command), "%s", s->command);
    }
    return 0;
}

static void set_options(mail_sender *s, struct curl_slist *recipients)
{
    CURL *curl = s->curl;
    const config *c = &s->config;
    char from[sizeof(c->mail.from) + 2];
    snprintf(from, sizeof(from), "<%s>", c->mail.from);
    int implicit_tls = strncmp(c->mail.smtp_url, "smtps://", 8) == 0;
    curl_easy_setopt(curl, CURLOPT_URL, c->mail.smtp_url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(curl, CURLOPT_READDATA, s);
    curl_easy_setopt(curl, CURLOPT_USE_SSL,
                     implicit_tls || c->mail.username[0] ? (long)CURLUSESSL_ALL
                                                         : (long)CURLUSESSL_TRY);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->mail.ca_file[0])
        curl_easy_setopt(curl, CURLOPT_CAINFO, c->mail.ca_file);
    if (c->mail.username[0]) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, c->mail.username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, c->mail.password);
    }
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->mail.timeout_s * 1000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, s->error);
    curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L); /* to the watcher, not to stderr */
    curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, watch);
    curl_easy_setopt(curl, CURLOPT_DEBUGDATA, s);
}

mail_outcome mail_send(mail_sender *s, const mail_message *m, char *error, size_t size)
{
    char recipient[MAIL_ADDRESS_MAX + 3];
    error[0] = '\0';
    char *text = mail_compose(s->config.mail.from, m, time(NULL));
    snprintf(recipient, sizeof(recipient), "<%s>", m->recipient);
    struct curl_slist *recipients = curl_slist_append(NULL, recipient);
    if (!text || !recipients) {
        snprintf(error, size, "out of memory");
        free(text);
        curl_slist_free_all(recipients);
        return MAIL_RETRY;
    }
    s->text = text;
    s->len = strlen(text);
    s->sent = 0;
    s->command[0] = s->reply[0] = s->refused_command[0] = s->error[0] = '\0';
    set_options(s, recipients);
    CURLcode code = curl_easy_perform(s->curl);
    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
    curl_slist_free_all(recipients);
    free(text);
    s->text = NULL;
    if (code == CURLE_OK)
        return MAIL_SENT;
    int refused = s->reply[0] == '5' && strcmp(s->refused_command, "RCPT") == 0;
    snprintf(error, size, "%s%.100s: %.200s%s%s", refused ? "recipient refused: " : "",
             curl_easy_strerror(code), s->error[0] ? s->error : "no details",
             s->reply[0] ? "; the server said: " : "", s->reply);
    return refused ? MAIL_REFUSED : MAIL_RETRY;
}
