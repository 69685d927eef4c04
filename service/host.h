/*
 * What the program takes from the machine it runs on, for the daemon and
 * the commands alike: its data files (fonts/, templates/), whole files read
 * and written, and the cores it may use.
 */
#ifndef OCOPTRACE_HOST_H
#define OCOPTRACE_HOST_H

#include "ocoplabels.h"

#include <limits.h>
#include <stddef.h>

/* Where templates/ and fonts/ are, and a path below them: 0, or -1 when
 * the path does not fit. */
const char *host_data_dir(void);
int host_data_file(const char *relative, char *out, size_t size);
/* Joins two parts of a path; 0, or -1 when it does not fit. */
int host_join_path(char *out, size_t size, const char *a, const char *b);

/* Appends a whole file to `out`: 0, or -1 (errno says why). */
int host_read_file(const char *path, ocl_buffer *out);
/* A program's output file: written beside its final name and renamed into
 * place when whole, so that a failure never leaves a partial file; or, when
 * the path exists and is not a regular file (/dev/null, a FIFO, a
 * printer's device), written to directly, since a rename would put a
 * regular file in the device's place. */
typedef struct {
    int fd;
    int direct; /* writing to the path itself */
    const char *path;
    char temp[PATH_MAX];
} host_output;

/* 0, or -1 (errno says why). */
int host_output_open(host_output *out, const char *path);
/* Closes the output and renames it into place: 0, or -1 (errno says why;
 * nothing is left behind). */
int host_output_commit(host_output *out);
/* Closes the output and removes what was written beside the path. */
void host_output_abort(host_output *out);
/* The whole file at once through a host_output: 0, or -1 (errno says why). */
int host_write_file(const char *path, const void *data, size_t len);
/* Writes everything to a descriptor: 0, or -1. */
int host_write_all(int fd, const void *data, size_t len);

/* A name for this process that no other process of any machine holds at
 * the same time, nor one after it with the same process id: the host, the
 * process id and random bits ("host-1234-9f0c22e1"). Daemons sharing one
 * database tell their claims and counters apart by it. */
#define HOST_PROCESS_NAME_MAX 64
void host_process_name(char out[HOST_PROCESS_NAME_MAX]);

/* The cores this process may run on (taskset and cgroups included). */
#define HOST_CORES_MAX 64
int host_cores(void);

/* Lowers the calling thread's CPU priority for good, for work that can
 * wait (the reminder runs, their mails): under load the cores go to the
 * requests first. */
#define HOST_BACKGROUND_NICE 10
void host_background(void);

#endif
