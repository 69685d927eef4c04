/*
 * What the commands that print a lot's units share (defined in labels.c):
 * finding a sheet, a layout and the producer's logo, deciding the OCOP
 * mark, drawing the serials and writing them with their links as CSV.
 */
#ifndef OCOPTRACE_RUNS_H
#define OCOPTRACE_RUNS_H

#include "job.h"
#include "ocoplabels.h"

#include <stddef.h>

/* Prints the sheets of templates/sheets/: the label sheets, or with
 * `stamps` the stamp sheets ("stamp-..."). */
int run_list_sheets(int stamps);
/* Loads templates/sheets/NAME.sheet, or adds a problem naming `sheet`. */
void run_find_sheet(const char *name, ocl_sheet *sheet, ocl_problems *problems);
/* Whether the OCOP mark is drawn: 3 to 5 stars (else a problem) while the
 * recognition is valid (else a warning). */
int run_ocop_mark(const job_file *jf, int no_mark, ocl_problems *problems, ocl_problems *warnings);
/* `count` distinct fresh serials, or NULL. */
char (*run_make_serials(long count))[OCL_SERIAL_LEN + 1];
/* Writes "serial,uri" lines to `path` ('-': standard output); 0 or -1. */
int run_write_serials(const char *path, const ocl_label_job *job, const char *base_url,
                      char (*serials)[OCL_SERIAL_LEN + 1], long count);
/* Draws one part of a run as a PDF; problems on OCL_EINVAL. */
typedef ocl_result (*run_draw)(void *draw_data, const char *const *serials, size_t count,
                               ocl_buffer *pdf, ocl_problems *problems);

/* What a run writes: `count` units (`what`: "labels", "stamps") of
 * `per_page` a page, in parts of at most `part_max` units. */
typedef struct {
    const char *output; /* FILE.pdf; with several parts FILE-1.pdf... ('-': one part only) */
    const char *what;
    const char *font; /* named when it cannot be loaded */
    long count, per_page, part_max;
} run_parts;

/* Draws and writes the run in parts of equal size, whole pages each, so
 * that no PDF grows past what a viewer or a print shop takes. An exit
 * status. */
int run_write_parts(const run_parts *run, char (*serials)[OCL_SERIAL_LEN + 1], run_draw draw,
                    void *draw_data);
/* Loads the layout `given` (a path, or a name in templates/layouts/), or
 * `fallback` when NULL; a problem names "layout". */
void run_load_layout(const char *given, const char *fallback, ocl_layout *layout,
                     ocl_problems *problems);
/* Reads the logo `given`, or the job's "logo" beside the job file, into
 * `logo` once checked (ocl_logo_check); nothing when neither is given. */
void run_load_logo(const char *given, const char *job_path, const job_file *jf, ocl_buffer *logo,
                   ocl_problems *problems);

#endif
