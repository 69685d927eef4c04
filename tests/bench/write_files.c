/*
 * The file system's floor for the QR benchmark: writes COUNT files of SIZE
 * bytes into DIR as NNNNNN.png, on every core, with nothing to encode. No
 * batch tool can write its files faster than this on the same disk.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *dir;
static int count, threads;
static size_t size;
static char *content;

static void *writer(void *arg)
{
    char path[4096];
    for (int i = (int)(long)arg; i < count; i += threads) {
        snprintf(path, sizeof(path), "%s/%06d.png", dir, i + 1);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0 || write(fd, content, size) != (ssize_t)size || close(fd) != 0) {
            perror(path);
            exit(1);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: write_files DIR COUNT SIZE\n");
        return 2;
    }
    dir = argv[1];
    count = atoi(argv[2]);
    size = (size_t)atol(argv[3]);
    content = calloc(1, size + 1);
    cpu_set_t set;
    threads = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
    if (threads > 64)
        threads = 64;
    pthread_t tid[64];
    for (int t = 0; t < threads; t++)
        pthread_create(&tid[t], NULL, writer, (void *)(long)t);
    for (int t = 0; t < threads; t++)
        pthread_join(tid[t], NULL);
    free(content);
    return 0;
}
