/*
 * The answers kept per code of a lot: a fixed table of places, a key's
 * place by its hash, one lock held only to take or swap a reference.
 * Answers are never changed once kept, so that threads share them.
 */
#include "answers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A province's lots that are being scanned at once; beyond that a lot's
 * answer is read again more often, never wrongly. */
#define ANSWER_PLACES 4096

struct answer_cache {
    pthread_mutex_t lock;
    lot_answer *place[ANSWER_PLACES];
};

lot_answer *answer_new(const char *key, store_code *code, long day)
{
    lot_answer *a = calloc(1, sizeof(*a));
    if (!a || strlen(key) >= sizeof(a->key)) {
        free(a);
        store_code_free(code);
        return NULL;
    }
    memcpy(a->key, key, strlen(key) + 1);
    a->code = *code;
    a->day = day;
    atomic_init(&a->refs, 1);
    return a;
}

void answer_release(lot_answer *a)
{
    if (!a || atomic_fetch_sub(&a->refs, 1) != 1)
        return;
    store_code_free(&a->code);
    free(atomic_load(&a->json));
    for (int i = 0; i < LANG_COUNT; i++)
        page_free(atomic_load(&a->page[i]));
    free(a);
}

answer_cache *answer_cache_new(void)
{
    answer_cache *cache = calloc(1, sizeof(*cache));
    if (cache)
        pthread_mutex_init(&cache->lock, NULL);
    return cache;
}

void answer_cache_free(answer_cache *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < ANSWER_PLACES; i++)
        answer_release(cache->place[i]);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

/* FNV-1a. */
static size_t place_of(const char *key)
{
    unsigned long long h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return (size_t)(h % ANSWER_PLACES);
}

lot_answer *answer_cache_get(answer_cache *cache, const char *key)
{
    size_t at = place_of(key);
    pthread_mutex_lock(&cache->lock);
    lot_answer *a = cache->place[at];
    if (a && strcmp(a->key, key) == 0)
        atomic_fetch_add(&a->refs, 1);
    else
        a = NULL;
    pthread_mutex_unlock(&cache->lock);
    return a;
}

void answer_cache_put(answer_cache *cache, lot_answer *a)
{
    size_t at = place_of(a->key);
    atomic_fetch_add(&a->refs, 1);
    pthread_mutex_lock(&cache->lock);
    lot_answer *before = cache->place[at];
    cache->place[at] = a;
    pthread_mutex_unlock(&cache->lock);
    answer_release(before);
}
