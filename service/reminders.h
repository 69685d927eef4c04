/*
 * Renewal reminders: the due run (180 and 150 days before a recognition
 * ends, while the renewal dossier can be filed, then 30 and 7) and the
 * thread of `ocoptrace serve` that runs it and sends the mail outbox over
 * SMTP.
 */
#ifndef OCOPTRACE_REMINDERS_H
#define OCOPTRACE_REMINDERS_H

#include "config.h"
#include "store/store.h"

#include <stddef.h>

/* Decision 26/2026/QĐ-TTg, Điều 7.6: the renewal dossier is filed no
 * earlier than 180 and no later than 120 days before the certificate
 * ends; a reminder when the window opens and 30 days before it closes.
 * Điều 12.3: one filed late keeps the certificate valid until its result,
 * at most 180 days past the end. */
#define REMINDER_WINDOW_OPENS      180
#define REMINDER_WINDOW_LAST_MONTH 150
#define REMINDER_WINDOW_CLOSES     120
#define REMINDER_LATE_GRACE        180
/* Then a reminder this many days before the recognition ends. */
#define REMINDER_FIRST_DAYS 30
#define REMINDER_LAST_DAYS  7

/* Writes every reminder due on `today` (YYYY-MM-DD), each with its notices
 * and mails in the transaction that writes it, a batch of certificates
 * per transaction so that the write lock is held briefly. Adds what was
 * written to `counts`. 0, or -1 with the reason in `error` (what earlier
 * batches wrote stays). */
int reminders_run(store *s, const config *c, const char *today, store_reminder_counts *counts,
                  char *error, size_t size);

typedef struct reminders_worker reminders_worker;

/* Runs the due run now and every [reminders] every_s, and sends the mail
 * outbox when [mail] smtp_url is set, on the database at `db_url`. NULL
 * with the reason when it cannot start. */
reminders_worker *reminders_start(const char *db_url, const config *c, char *error, size_t size);
/* Stops after the mail being sent, if any (recorded before it returns). */
void reminders_stop(reminders_worker *w);

#endif
