/*
 * Renewal reminders: which certificates are due (one read), what the
 * reminder says in Vietnamese on the pages and in the mails, written in
 * short transactions; and the daemon's thread that runs this every
 * [reminders] every_s and sends the mail outbox.
 *
 * A mail is marked sent only after the SMTP server accepted it; a crash in
 * between sends it again under the same Message-ID. A sender claims the
 * mails it is about to send for a lease of two timeouts and five seconds,
 * so that of several daemons on one database one sends each, and the
 * claims of a daemon that died run out for the others (or itself,
 * restarted). Connection failures, TLS refusals and 4xx replies are
 * retried with backoff forever; a recipient refused with a 5xx is dead.
 */
#include "reminders.h"
#include "clock.h"
#include "host.h"
#include "mail.h"
#include "sync.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Certificates written per transaction: each holds the database's write
 * lock, which the scans' writer waits for, so a batch stays short even at
 * the thread's lowered priority. */
#define REMINDERS_BATCH 100
#define MAIL_CLAIM_MAX  4   /* mails claimed at once: the rest stay free for others */
#define MAIL_IDLE_MS    500 /* how often an idle sender looks again */
#define TEXT_MAX        4096
#define DAY_SECONDS     86400

/* ---------- days ---------- */

/* YYYY-MM-DD as midnight UTC: 0, or -1 when it is not a date. */
static int parse_day(const char *text, time_t *out)
{
    int y, m, d, end = 0;
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &end) != 3 || end != 10 || text[end] || m < 1 ||
        m > 12 || d < 1 || d > 31)
        return -1;
    struct tm t = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
    *out = timegm(&t);
    struct tm back;
    gmtime_r(out, &back);
    return back.tm_mday == d && back.tm_mon == m - 1 ? 0 : -1;
}

/* The day as YYYY-MM-DD, or as Vietnamese write it (DD/MM/YYYY). */
static void format_day(time_t t, int vietnamese, char out[16])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    if (vietnamese)
        strftime(out, 16, "%d/%m/%Y", &tm);
    else
        strftime(out, 16, "%Y-%m-%d", &tm);
}

/* ---------- what a reminder says ---------- */

typedef struct {
    char notice[TEXT_MAX], subject[512], producer_body[TEXT_MAX], officer_body[TEXT_MAX];
} reminder_words;

/* The days a reminder names, as Vietnamese write them: the end, the
 * renewal window's first and last days (Điều 7.6), and the last day a
 * late renewal keeps the certificate valid to (Điều 12.3). */
typedef struct {
    char until[16], open[16], close[16], grace[16];
    long left; /* days to the end */
} reminder_days;

#define BASIS     "Quyết định số 26/2026/QĐ-TTg"
#define FROM_LAST "Hồ sơ đánh giá lại được lập từ hồ sơ gần nhất của sản phẩm"
#define HOW_TO_RENEW                                                                                                       \
    FROM_LAST ": biểu mẫu và tệp minh chứng được chép sang, chỉ cần cập nhật những gì đã thay " \
              "đổi. Mở trang %s/producer, chọn sản phẩm và tạo hồ sơ đánh giá lại.\n\n"
#define AUTOMATIC "Thư này được gửi tự động; vui lòng không trả lời.\n"

static void reminder_days_of(const store_reminder_due *d, time_t today, reminder_days *r)
{
    time_t end = 0;
    parse_day(d->valid_until, &end);
    r->left = (long)((end - today) / DAY_SECONDS);
    format_day(end, 1, r->until);
    format_day(end - (time_t)REMINDER_WINDOW_OPENS * DAY_SECONDS, 1, r->open);
    format_day(end - (time_t)REMINDER_WINDOW_CLOSES * DAY_SECONDS, 1, r->close);
    format_day(end + (time_t)REMINDER_LATE_GRACE * DAY_SECONDS, 1, r->grace);
}

/* 180 and 150 days before the end: the window is open; file in it.
 * `state` is short, for the subject; `phrase` follows "the window". */
static void say_window(const store_reminder_due *d, const reminder_days *r, const char *base,
                       reminder_words *w)
{
    char state[160], phrase[256];
    long to_file = r->left - REMINDER_WINDOW_CLOSES;
    if (d->days == REMINDER_WINDOW_OPENS)
        snprintf(state, sizeof(state), "%s",
                 r->left == REMINDER_WINDOW_OPENS ? "mở từ hôm nay" : "đang mở");
    else if (to_file > 0)
        snprintf(state, sizeof(state), "còn %ld ngày để nộp hồ sơ", to_file);
    else
        snprintf(state, sizeof(state), "hôm nay là ngày cuối để nộp hồ sơ");
    if (d->days == REMINDER_WINDOW_OPENS)
        snprintf(phrase, sizeof(phrase), "%s", state);
    else
        snprintf(phrase, sizeof(phrase), "đóng ngày %s, %s", r->close, state);
    snprintf(w->notice, sizeof(w->notice),
             "Chứng nhận OCOP %d sao số %s của sản phẩm \"%s\" (%s) hết hiệu lực ngày %s. Cửa sổ "
             "nộp hồ sơ đánh giá lại %s: nộp hồ sơ đánh giá lại từ ngày %s đến ngày %s (Điều 7.6 "
             "" BASIS "). " FROM_LAST ".",
             d->stars, d->number, d->product, d->producer, r->until, phrase, r->open, r->close);
    snprintf(w->subject, sizeof(w->subject),
             "Nộp hồ sơ đánh giá lại OCOP: chứng nhận %s, từ ngày %s đến ngày %s (%s)", d->number,
             r->open, r->close, state);
    snprintf(w->producer_body, sizeof(w->producer_body),
             "Kính gửi %s,\n\n"
             "Chứng nhận sản phẩm OCOP %d sao số %s của sản phẩm \"%s\" hết hiệu lực ngày %s. "
             "Cửa sổ nộp hồ sơ đánh giá lại %s: đề nghị cơ sở nộp hồ sơ đánh giá lại từ ngày %s "
             "đến ngày %s, không sớm hơn 180 ngày và không muộn hơn 120 ngày trước ngày hết "
             "hiệu lực (Điều 7.6 " BASIS ").\n\n" HOW_TO_RENEW AUTOMATIC,
             d->producer, d->stars, d->number, d->product, r->until, phrase, r->open, r->close,
             base);
    snprintf(w->officer_body, sizeof(w->officer_body),
             "Kính gửi cán bộ phụ trách OCOP,\n\n"
             "Sản phẩm \"%s\" của %s: cửa sổ nộp hồ sơ đánh giá lại mở từ ngày %s đến ngày %s "
             "(%s; Điều 7.6 " BASIS "). Chứng nhận OCOP %d sao số %s hết hiệu lực ngày %s; cơ "
             "sở chưa nộp hồ sơ đánh giá lại. Theo dõi hồ sơ tại trang %s/officer.\n\n" AUTOMATIC,
             d->product, d->producer, r->open, r->close, state, d->stars, d->number, r->until,
             base);
}

/* 30 and 7 days before the end: the recognition ends; when no renewal
 * was filed, the window has closed and a late one keeps the certificate
 * valid until its result, at most 180 days past the end. */
static void say_ending(const store_reminder_due *d, const reminder_days *r, const char *base,
                       reminder_words *w)
{
    char left[64], renewal[1024];
    if (r->left > 0)
        snprintf(left, sizeof(left), "còn %ld ngày", r->left);
    else
        snprintf(left, sizeof(left), "hôm nay là ngày cuối");
    if (d->filed)
        snprintf(renewal, sizeof(renewal),
                 "Hồ sơ đánh giá lại của sản phẩm đã được nộp và đang được xử lý.");
    else
        snprintf(renewal, sizeof(renewal),
                 "Cửa sổ nộp hồ sơ đánh giá lại (từ ngày %s đến ngày %s, Điều 7.6 " BASIS
                 ") đã đóng mà chưa có hồ sơ đánh giá lại. Hồ sơ đánh giá lại nộp muộn thì "
                 "chứng nhận còn hiệu lực đến ngày có kết quả xử lý hồ sơ, nhưng không quá 180 "
                 "ngày kể từ ngày hết hiệu lực, tức không quá ngày %s (Điều 12.3 " BASIS ").",
                 r->open, r->close, r->grace);
    snprintf(w->notice, sizeof(w->notice),
             "Chứng nhận OCOP %d sao số %s của sản phẩm \"%s\" (%s) hết hiệu lực ngày %s, %s. %s "
             "" FROM_LAST ".",
             d->stars, d->number, d->product, d->producer, r->until, left, renewal);
    snprintf(w->subject, sizeof(w->subject),
             "Nhắc đánh giá lại OCOP: chứng nhận %s hết hiệu lực ngày %s (%s)", d->number, r->until,
             left);
    snprintf(w->producer_body, sizeof(w->producer_body),
             "Kính gửi %s,\n\n"
             "Chứng nhận sản phẩm OCOP %d sao số %s của sản phẩm \"%s\" hết hiệu lực ngày %s, "
             "%s.\n\n%s%s\n\n" HOW_TO_RENEW AUTOMATIC,
             d->producer, d->stars, d->number, d->product, r->until, left, renewal,
             d->filed ? ""
                      : " Để sản phẩm tiếp tục được công nhận, đề nghị cơ sở nộp hồ sơ đánh "
                        "giá lại ngay.",
             base);
    snprintf(w->officer_body, sizeof(w->officer_body),
             "Kính gửi cán bộ phụ trách OCOP,\n\n"
             "Chứng nhận sản phẩm OCOP %d sao số %s của sản phẩm \"%s\" (%s) hết hiệu lực ngày "
             "%s, %s.\n\n%s Theo dõi hồ sơ tại trang %s/officer.\n\n" AUTOMATIC,
             d->stars, d->number, d->product, d->producer, r->until, left, renewal, base);
}

static void reminder_say(const store_reminder_due *d, time_t today, const char *base,
                         reminder_words *w)
{
    reminder_days r;
    reminder_days_of(d, today, &r);
    if (d->days > REMINDER_FIRST_DAYS)
        say_window(d, &r, base, w);
    else
        say_ending(d, &r, base, w);
}

/* One transaction: the batch's reminders with their notices and mails. */
static int write_batch(store *s, const config *c, const store_reminder_due *due, long count,
                       time_t today, store_reminder_counts *counts, char *error, size_t size)
{
    char base[OCL_BASE_URL_MAX], store_error[STORE_ERROR_MAX];
    snprintf(base, sizeof(base), "%s", c->base_url);
    for (size_t len = strlen(base); len > 0 && base[len - 1] == '/';)
        base[--len] = '\0';
    reminder_words *words = calloc((size_t)count, sizeof(*words));
    store_reminder_text *items = calloc((size_t)count, sizeof(*items));
    int rc = words && items ? 0 : -1;
    for (long i = 0; rc == 0 && i < count; i++) {
        reminder_say(&due[i], today, base, &words[i]);
        items[i] = (store_reminder_text){&due[i], words[i].notice, words[i].subject,
                                         words[i].producer_body, words[i].officer_body};
    }
    if (rc != 0)
        snprintf(error, size, "out of memory");
    else if ((rc = store_reminders_write(s, items, (int)count, mail_domain(c->mail.from), counts,
                                         store_error)) != 0)
        snprintf(error, size, "%s", store_error);
    free(words);
    free(items);
    return rc;
}

int reminders_run(store *s, const config *c, const char *today, store_reminder_counts *counts,
                  char *error, size_t size)
{
    time_t day = 0;
    store_reminder_days days;
    if (parse_day(today, &day) != 0) {
        snprintf(error, size, "today '%s' is not a date YYYY-MM-DD", today);
        return -1;
    }
    format_day(day, 0, days.today);
    format_day(day + (time_t)REMINDER_LAST_DAYS * DAY_SECONDS, 0, days.day7);
    format_day(day + (time_t)REMINDER_FIRST_DAYS * DAY_SECONDS, 0, days.day30);
    format_day(day + (time_t)REMINDER_WINDOW_CLOSES * DAY_SECONDS, 0, days.day120);
    format_day(day + (time_t)REMINDER_WINDOW_LAST_MONTH * DAY_SECONDS, 0, days.day150);
    format_day(day + (time_t)REMINDER_WINDOW_OPENS * DAY_SECONDS, 0, days.day180);
    store_reminder_due *due = NULL;
    long count = store_reminders_due(s, &days, &due);
    if (count < 0) {
        snprintf(error, size, "cannot read the certificates due");
        return -1;
    }
    int rc = 0;
    for (long at = 0; rc == 0 && at < count; at += REMINDERS_BATCH)
        rc =
            write_batch(s, c, due + at, count - at < REMINDERS_BATCH ? count - at : REMINDERS_BATCH,
                        day, counts, error, size);
    free(due);
    return rc;
}

/* ---------- the daemon's thread ---------- */

struct reminders_worker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
    store *store;
    config config;
    mail_sender *sender; /* NULL: no SMTP server configured */
    char owner[HOST_PROCESS_NAME_MAX];
    long long lease_ms;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int stopping(reminders_worker *w)
{
    pthread_mutex_lock(&w->lock);
    int stop = w->stop;
    pthread_mutex_unlock(&w->lock);
    return stop;
}

static void run_due(reminders_worker *w)
{
    char today[11], error[STORE_ERROR_MAX];
    store_reminder_counts counts = {0, 0, 0};
    clock_day(0, today);
    if (reminders_run(w->store, &w->config, today, &counts, error, sizeof(error)) != 0)
        fprintf(stderr, "ocoptrace: reminders: %s\n", error);
    if (counts.reminders)
        fprintf(stderr, "ocoptrace: reminders: %ld written, %ld notices, %ld mails\n",
                counts.reminders, counts.notices, counts.mails);
}

/* One attempt at a claimed mail, recorded at once. */
static void send_one(reminders_worker *w, const store_mail *m)
{
    char error[512];
    mail_message message = {m->recipient, m->subject, m->body, m->message_id};
    mail_outcome outcome = mail_send(w->sender, &message, error, sizeof(error));
    store_mail_result r = {m->id, SYNC_DELIVERED, 0, NULL};
    if (outcome == MAIL_REFUSED) {
        r.outcome = SYNC_DEAD;
        r.error = error;
    } else if (outcome == MAIL_RETRY) {
        r.outcome = SYNC_RETRY;
        r.error = error;
        r.next_ms = sync_backoff_at(now_ms(), m->attempts, w->config.mail.backoff_ms,
                                    w->config.mail.backoff_max_s);
    }
    if (outcome != MAIL_SENT)
        fprintf(stderr, "ocoptrace: mail %s to %s: %s\n", m->message_id, m->recipient, error);
    if (store_mail_record(w->store, &r) != 0)
        fprintf(stderr, "ocoptrace: mail %s: cannot record the attempt\n", m->message_id);
}

/* Sends the mails due now; how many were claimed. */
static int send_due(reminders_worker *w)
{
    store_mail claimed[MAIL_CLAIM_MAX];
    int n = store_mail_claim(w->store, w->owner, now_ms(), w->lease_ms, claimed, MAIL_CLAIM_MAX);
    for (int i = 0; i < n; i++) {
        /* Stopping: the claims left run out and the mails go after it. */
        if (!stopping(w))
            send_one(w, &claimed[i]);
        store_mail_free(&claimed[i]);
    }
    return n > 0 ? n : 0;
}

static void *worker(void *arg)
{
    reminders_worker *w = arg;
    long long next_run = 0;
    host_background();
    while (!stopping(w)) {
        if (now_ms() >= next_run) {
            run_due(w);
            next_run = now_ms() + w->config.reminder_every_s * 1000LL;
        }
        if (w->sender && send_due(w) > 0)
            continue;
        long long until = w->sender ? now_ms() + MAIL_IDLE_MS : next_run;
        if (until > next_run)
            until = next_run;
        struct timespec at = {(time_t)(until / 1000), (long)(until % 1000) * 1000000};
        pthread_mutex_lock(&w->lock);
        if (!w->stop)
            pthread_cond_timedwait(&w->wake, &w->lock, &at);
        pthread_mutex_unlock(&w->lock);
    }
    return NULL;
}

static void worker_free(reminders_worker *w)
{
    mail_sender_free(w->sender);
    store_close(w->store);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    curl_global_cleanup();
    free(w);
}

reminders_worker *reminders_start(const char *db_url, const config *c, char *error, size_t size)
{
    char store_error[STORE_ERROR_MAX];
    reminders_worker *w = calloc(1, sizeof(*w));
    if (!w || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(error, size, "reminders: cannot start libcurl");
        free(w);
        return NULL;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    w->config = *c;
    host_process_name(w->owner);
    w->lease_ms = (2LL * c->mail.timeout_s + 5) * 1000;
    const char *why = NULL;
    if (!(w->store = store_connect(db_url, store_error)))
        why = store_error;
    else if (c->mail.smtp_url[0] && !(w->sender = mail_sender_new(c)))
        why = "cannot start the mail sender";
    else if (pthread_create(&w->thread, NULL, worker, w) != 0)
        why = "cannot start the thread";
    if (why) {
        snprintf(error, size, "reminders: %s", why);
        worker_free(w);
        return NULL;
    }
    return w;
}

void reminders_stop(reminders_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    worker_free(w);
}
