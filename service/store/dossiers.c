/*
 * The store's side of OCOP dossiers (hồ sơ): a producer's application for
 * a product's evaluation, its registration form, its evidence files (kept
 * by their SHA-256 beside the database), every change of state with who
 * made it, the commune's reasons for a return, the council members'
 * scores by criterion, and the decision that ends it in an evaluation.
 */
#include "store.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Written once for both backends: only the type of an id drawn by the
 * database, and SQLite's WITHOUT ROWID, differ. The states and their
 * order are the decision's: nothing skips one. */
#define DOSSIERS_SCHEMA(id, without_rowid)                                                         \
    "ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';"                                 \
    "ALTER TABLE users ADD COLUMN chair INTEGER NOT NULL DEFAULT 0;"                               \
    "CREATE TABLE dossiers ("                                                                      \
    "  id " id ","                                                                                 \
    "  product_id BIGINT NOT NULL REFERENCES products(id),"                                        \
    "  previous_id BIGINT REFERENCES dossiers(id)," /* a renewal starts from it */                 \
    "  sheet TEXT NOT NULL,"                        /* the criteria sheet's id */                  \
    "  state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft','submitted','checked',"        \
    "    'returned','scoring','scored','recognised','not_recognised')),"                           \
    "  form TEXT NOT NULL DEFAULT '{}',"                                                           \
    "  members BIGINT," /* how many members' sheets the score averages */                          \
    "  score_a BIGINT, score_b BIGINT, score_c BIGINT, score_mean TEXT, stars BIGINT,"             \
    "  evaluation_id BIGINT REFERENCES evaluations(id),"                                           \
    "  created_by BIGINT REFERENCES users(id),"                                                    \
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"                   \
    "  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"                  \
    "CREATE INDEX dossiers_product ON dossiers (product_id, id);"                                  \
    "CREATE INDEX dossiers_state ON dossiers (state, id);"                                         \
    "CREATE TABLE dossier_files ("                                                                 \
    "  id " id ","                                                                                 \
    "  dossier_id BIGINT NOT NULL REFERENCES dossiers(id),"                                        \
    "  name TEXT NOT NULL," /* as uploaded, for people */                                          \
    "  kind TEXT NOT NULL DEFAULT 'other',"                                                        \
    "  content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf','image/jpeg',"         \
    "    'image/png')),"                                                                           \
    "  bytes BIGINT NOT NULL,"                                                                     \
    "  sha256 TEXT NOT NULL,"                                                                      \
    "  uploaded_by BIGINT REFERENCES users(id),"                                                   \
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"                  \
    "CREATE INDEX dossier_files_dossier ON dossier_files (dossier_id, id);"                        \
    "CREATE TABLE dossier_transitions ("                                                           \
    "  id " id ","                                                                                 \
    "  dossier_id BIGINT NOT NULL REFERENCES dossiers(id),"                                        \
    "  from_state TEXT NOT NULL, to_state TEXT NOT NULL,"                                          \
    "  user_id BIGINT REFERENCES users(id),"                                                       \
    "  note TEXT NOT NULL DEFAULT '',"                                                             \
    "  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')));"                          \
    "CREATE INDEX dossier_transitions_dossier ON dossier_transitions (dossier_id, id);"            \
    "CREATE TABLE dossier_returns ("                                                               \
    "  transition_id BIGINT NOT NULL REFERENCES dossier_transitions(id),"                          \
    "  field TEXT NOT NULL, reason TEXT NOT NULL,"                                                 \
    "  PRIMARY KEY (transition_id, field))" without_rowid ";"                                      \
    "CREATE TABLE dossier_sheets (" /* one member's scoring of one dossier */                      \
    "  dossier_id BIGINT NOT NULL REFERENCES dossiers(id),"                                        \
    "  member_id BIGINT NOT NULL REFERENCES users(id),"                                            \
    "  score_a BIGINT NOT NULL, score_b BIGINT NOT NULL, score_c BIGINT NOT NULL,"                 \
    "  total BIGINT NOT NULL,"                                                                     \
    "  submitted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"                 \
    "  PRIMARY KEY (dossier_id, member_id))" without_rowid ";"                                     \
    "CREATE TABLE dossier_scores ("                                                                \
    "  dossier_id BIGINT NOT NULL, member_id BIGINT NOT NULL,"                                     \
    "  criterion TEXT NOT NULL, choice BIGINT NOT NULL, points BIGINT NOT NULL,"                   \
    "  PRIMARY KEY (dossier_id, member_id, criterion),"                                            \
    "  FOREIGN KEY (dossier_id, member_id) REFERENCES dossier_sheets (dossier_id, "                \
    "member_id))" without_rowid ";"                                                                \
    "CREATE TABLE reminders (" /* a certificate's notice that its recognition ends */              \
    "  id " id ","                                                                                 \
    "  certificate_id BIGINT NOT NULL REFERENCES certificates(id),"                                \
    "  days BIGINT NOT NULL CHECK (days IN (30, 7)),"                                              \
    "  valid_until TEXT NOT NULL,"                                                                 \
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"                   \
    "  UNIQUE (certificate_id, days));"                                                            \
    "CREATE TABLE notices (" /* what a user's web page shows: a reminder, addressed */             \
    "  id " id ","                                                                                 \
    "  user_id BIGINT NOT NULL REFERENCES users(id),"                                              \
    "  reminder_id BIGINT NOT NULL REFERENCES reminders(id),"                                      \
    "  text TEXT NOT NULL, read_at TEXT,"                                                          \
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"                   \
    "  UNIQUE (reminder_id, user_id));"                                                            \
    "CREATE INDEX notices_user ON notices (user_id, id);"                                          \
    "CREATE TABLE mail_outbox (" /* each e-mail owed, sent once, retried until it is */            \
    "  id " id ","                                                                                 \
    "  reminder_id BIGINT REFERENCES reminders(id),"                                               \
    "  recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,"                        \
    "  message_id TEXT NOT NULL UNIQUE,"                                                           \
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sent','dead')),"          \
    "  attempts BIGINT NOT NULL DEFAULT 0,"                                                        \
    "  next_at BIGINT NOT NULL DEFAULT 0," /* unix milliseconds */                                 \
    "  claimed_by TEXT, claimed_until BIGINT NOT NULL DEFAULT 0,"                                  \
    "  last_error TEXT, sent_at TEXT,"                                                             \
    "  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),"                   \
    "  UNIQUE (reminder_id, recipient));"                                                          \
    "CREATE INDEX mail_outbox_due ON mail_outbox (state, next_at, id);"

/* Migration 16. SQLite's CHECK on users.role is widened in place, as
 * migration 11 did for the reader (store_reader_migration says why). */
const char *store_dossiers_migration(void)
{
    return "PRAGMA writable_schema = ON;"
           "UPDATE sqlite_schema SET sql = replace(sql, '''reader''))', "
           "'''reader'',''commune'',''council''))') WHERE type = 'table' AND name = 'users';"
           "PRAGMA writable_schema = RESET;"
           "CREATE TABLE schema_changed (x);"
           "DROP TABLE schema_changed;" DOSSIERS_SCHEMA("INTEGER PRIMARY KEY", " WITHOUT ROWID");
}

const char *store_postgresql_dossiers(void)
{
    return "ALTER TABLE users DROP CONSTRAINT users_role_check;"
           "ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN "
           "('admin','officer','producer','reader','commune','council'));" DOSSIERS_SCHEMA(
               "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", "");
}
