/*
 * Page templates: cutting a template into literal runs and placeholders
 * once, binding the placeholders that many requests share, and filling
 * the rest with escaped values in one allocation of the exact size.
 */
#include "page.h"

#include <stdlib.h>
#include <string.h>

void page_escape(const char *text, ocl_buffer *out)
{
    const char *run = text;
    for (const char *p = text; *p; p++) {
        const char *e = *p == '<'    ? "&lt;"
                        : *p == '>'  ? "&gt;"
                        : *p == '&'  ? "&amp;"
                        : *p == '"'  ? "&quot;"
                        : *p == '\'' ? "&#39;"
                                     : NULL;
        if (!e)
            continue;
        ocl_buffer_append(out, run, (size_t)(p - run));
        ocl_buffer_append(out, e, strlen(e));
        run = p + 1;
    }
    ocl_buffer_append(out, run, strlen(run));
}

/* Whether `c` is one of `set` (never the end of a string). */
static int one_of(char c, const char *set)
{
    return c && strchr(set, c) != NULL;
}

/* Minifies the style sheet between `from` and `end` into `out`; returns
 * the end of what it wrote. */
static char *minify_css(const char *from, const char *end, char *out)
{
    int space = 0;
    for (const char *p = from; p < end;) {
        if (p[0] == '/' && p + 1 < end && p[1] == '*') {
            const char *close = strstr(p + 2, "*/");
            p = close && close < end ? close + 2 : end;
            continue;
        }
        if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
            space = 1;
            p++;
            continue;
        }
        /* A space stays only between two things that need it: never after
         * { } ; , : or >, nor before { } ; , (before ':' it may be a
         * descendant's combinator, "a :hover"). */
        if (space && !one_of(out[-1], "{};,:>") && !one_of(*p, "{};,"))
            *out++ = ' ';
        space = 0;
        if (*p == '"' || *p == '\'') {
            const char *close = memchr(p + 1, *p, (size_t)(end - p - 1));
            size_t len = close ? (size_t)(close - p + 1) : (size_t)(end - p);
            memmove(out, p, len);
            out += len, p += len;
            continue;
        }
        *out++ = *p++;
    }
    return out;
}

void page_minify_styles(char *html)
{
    char *out = html;
    const char *at = html;
    for (;;) {
        const char *open = strstr(at, "<style>");
        const char *close = open ? strstr(open, "</style>") : NULL;
        if (!close) {
            memmove(out, at, strlen(at) + 1);
            return;
        }
        open += strlen("<style>");
        memmove(out, at, (size_t)(open - at));
        out += open - at;
        out = minify_css(open, close, out);
        at = close;
    }
}

/* The length of `text` once escaped by page_escape(). */
static size_t escaped_len(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '<' || *p == '>' ? 4 : *p == '&' || *p == '\'' ? 5 : *p == '"' ? 6 : 1;
    return n;
}

char *page_render(const char *page, const char *const *keys, const char *const *values,
                  size_t count)
{
    ocl_buffer out = {0};
    const char *at = page;
    while (*at) {
        const char *open = strstr(at, "{{");
        const char *close = open ? strstr(open, "}}") : NULL;
        if (!close) {
            ocl_buffer_append(&out, at, strlen(at));
            break;
        }
        ocl_buffer_append(&out, at, (size_t)(open - at));
        for (size_t i = 0; i < count; i++)
            if (strlen(keys[i]) == (size_t)(close - open - 2) &&
                strncmp(open + 2, keys[i], (size_t)(close - open - 2)) == 0)
                page_escape(values[i], &out);
        at = close + 2;
    }
    ocl_buffer_append(&out, "", 1);
    return (char *)out.data;
}

typedef enum { SEGMENT_TEXT, SEGMENT_VALUE, SEGMENT_RAW, SEGMENT_WORD } segment_kind;

typedef struct {
    segment_kind kind;
    size_t at, len; /* SEGMENT_TEXT: the run's place in the template's text */
    size_t key;     /* the key's index, or a fixed word's */
} page_segment;

struct page_template {
    const char *const *keys;
    size_t key_count;
    ocl_buffer text; /* the literal runs, one after another */
    size_t count;
    page_segment *segment;
};

static int key_raw(const char *key)
{
    size_t len = strlen(key);
    return len > 5 && strcmp(key + len - 5, "_html") == 0;
}

static page_template *template_new(const char *const *keys, size_t count)
{
    page_template *t = calloc(1, sizeof(*t));
    if (t)
        t->keys = keys, t->key_count = count;
    return t;
}

static int add_segment(page_template *t, page_segment segment)
{
    page_segment *grown = realloc(t->segment, (t->count + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    t->segment = grown;
    t->segment[t->count++] = segment;
    return 0;
}

/* Appends literal text, joined to the run before it when there is one. */
static int add_text(page_template *t, const char *text, size_t len)
{
    if (!len)
        return 0;
    size_t at = t->text.len;
    if (ocl_buffer_append(&t->text, text, len) != OCL_OK)
        return -1;
    if (t->count && t->segment[t->count - 1].kind == SEGMENT_TEXT) {
        t->segment[t->count - 1].len += len;
        return 0;
    }
    return add_segment(t, (page_segment){SEGMENT_TEXT, at, len, 0});
}

/* The placeholder {{name}} of `len` bytes as a segment: 0, or -1 for one
 * that names nothing (dropped). */
static int placeholder(const page_template *t, const char *name, size_t len, page_segment *out)
{
    for (size_t i = 0; i < t->key_count; i++)
        if (strlen(t->keys[i]) == len && strncmp(name, t->keys[i], len) == 0) {
            *out = (page_segment){key_raw(t->keys[i]) ? SEGMENT_RAW : SEGMENT_VALUE, 0, 0, i};
            return 0;
        }
    int word = page_word_index(name, len);
    if (word < 0)
        return -1;
    *out = (page_segment){SEGMENT_WORD, 0, 0, (size_t)word};
    return 0;
}

page_template *page_compile(const char *source, const char *const *keys, size_t count)
{
    page_template *t = template_new(keys, count);
    const char *at = source;
    int ok = t != NULL;
    while (ok && *at) {
        const char *open = strstr(at, "{{");
        const char *close = open ? strstr(open, "}}") : NULL;
        if (!close) {
            ok = add_text(t, at, strlen(at)) == 0;
            break;
        }
        page_segment segment;
        ok = add_text(t, at, (size_t)(open - at)) == 0 &&
             (placeholder(t, open + 2, (size_t)(close - open - 2), &segment) != 0 ||
              add_segment(t, segment) == 0);
        at = close + 2;
    }
    if (!ok) {
        page_free(t);
        return NULL;
    }
    return t;
}

/* The text a bound segment becomes. */
static int bind_segment(page_template *t, const page_segment *s, const char *const *values,
                        page_lang lang)
{
    ocl_buffer escaped = {0};
    const char *value = s->kind == SEGMENT_WORD ? page_word(s->key, lang) : values[s->key];
    if (s->kind == SEGMENT_RAW)
        return add_text(t, value, strlen(value));
    page_escape(value, &escaped);
    int rc = escaped.data ? add_text(t, (const char *)escaped.data, escaped.len) : 0;
    ocl_buffer_free(&escaped);
    return rc;
}

page_template *page_bind(const page_template *from, const char *const *values, page_lang lang)
{
    page_template *t = template_new(from->keys, from->key_count);
    int ok = t != NULL;
    for (size_t i = 0; ok && i < from->count; i++) {
        const page_segment *s = &from->segment[i];
        if (s->kind == SEGMENT_TEXT)
            ok = add_text(t, (const char *)from->text.data + s->at, s->len) == 0;
        else if (s->kind == SEGMENT_WORD || values[s->key])
            ok = bind_segment(t, s, values, lang) == 0;
        else
            ok = add_segment(t, *s) == 0;
    }
    if (!ok) {
        page_free(t);
        return NULL;
    }
    return t;
}

/* What an open placeholder stands for. */
static const char *segment_value(const page_segment *s, const char *const *values, page_lang lang)
{
    const char *v = s->kind == SEGMENT_WORD ? page_word(s->key, lang) : values[s->key];
    return v ? v : "";
}

char *page_fill(const page_template *t, const char *const *values, page_lang lang)
{
    size_t size = 1;
    for (size_t i = 0; i < t->count; i++) {
        const page_segment *s = &t->segment[i];
        size += s->kind == SEGMENT_TEXT  ? s->len
                : s->kind == SEGMENT_RAW ? strlen(segment_value(s, values, lang))
                                         : escaped_len(segment_value(s, values, lang));
    }
    ocl_buffer out = {malloc(size), 0, size};
    if (!out.data)
        return NULL;
    for (size_t i = 0; i < t->count; i++) {
        const page_segment *s = &t->segment[i];
        const char *value = s->kind == SEGMENT_TEXT ? NULL : segment_value(s, values, lang);
        if (s->kind == SEGMENT_TEXT)
            ocl_buffer_append(&out, (const char *)t->text.data + s->at, s->len);
        else if (s->kind == SEGMENT_RAW)
            ocl_buffer_append(&out, value, strlen(value));
        else
            page_escape(value, &out);
    }
    ocl_buffer_append(&out, "", 1);
    return (char *)out.data;
}

void page_free(page_template *t)
{
    if (!t)
        return;
    ocl_buffer_free(&t->text);
    free(t->segment);
    free(t);
}
