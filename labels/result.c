/*
 * Result codes, problem lists and the small buffers every other file of
 * labels/ leans on. Problems are plain data so that the CLI and the daemon
 * can both print them their own way.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ocl_strerror(ocl_result result)
{
    switch (result) {
    case OCL_OK:
        return "success";
    case OCL_EINVAL:
        return "invalid input";
    case OCL_ENOMEM:
        return "out of memory";
    case OCL_ERANGE:
        return "too large";
    case OCL_EIO:
        return "input/output error";
    case OCL_ELIBRARY:
        return "library failure";
    }
    return "unknown error";
}

/* Only the counts and the first entry: the list is 7.5 KB, set up for
 * every code parsed (twice for each scan the resolver answers), and an
 * entry is written whole when added. The first is left empty for callers
 * that show item[0] of a list they expect not to be. */
void ocl_problems_init(ocl_problems *problems)
{
    problems->count = 0;
    problems->dropped = 0;
    problems->item[0].field[0] = '\0';
    problems->item[0].rule[0] = '\0';
}

ocl_result ocl_problem_add(ocl_problems *problems, const char *field, const char *fmt, ...)
{
    if (!problems)
        return OCL_EINVAL;
    if (problems->count >= OCL_PROBLEMS_MAX) {
        problems->dropped++;
        return OCL_EINVAL;
    }
    ocl_problem *p = &problems->item[problems->count++];
    snprintf(p->field, sizeof(p->field), "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->rule, sizeof(p->rule), fmt, ap);
    va_end(ap);
    return OCL_EINVAL;
}

void ocl_problems_print(const ocl_problems *problems, const char *prefix, FILE *out)
{
    for (size_t i = 0; i < problems->count; i++)
        fprintf(out, "%s: %s: %s\n", prefix, problems->item[i].field, problems->item[i].rule);
    if (problems->dropped)
        fprintf(out, "%s: and %zu more problems\n", prefix, problems->dropped);
}

void ocl_strbuf_init(ocl_strbuf *sb, char *data, size_t size)
{
    sb->data = data;
    sb->size = size;
    sb->len = 0;
    sb->overflow = size == 0;
    if (size)
        data[0] = '\0';
}

void ocl_strbuf_add(ocl_strbuf *sb, const char *text, size_t len)
{
    if (sb->overflow)
        return;
    if (len >= sb->size - sb->len) {
        sb->overflow = 1;
        return;
    }
    memcpy(sb->data + sb->len, text, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
}

void ocl_strbuf_puts(ocl_strbuf *sb, const char *text)
{
    ocl_strbuf_add(sb, text, strlen(text));
}

void ocl_strbuf_printf(ocl_strbuf *sb, const char *fmt, ...)
{
    if (sb->overflow)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sb->data + sb->len, sb->size - sb->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sb->size - sb->len) {
        sb->data[sb->len] = '\0';
        sb->overflow = 1;
        return;
    }
    sb->len += (size_t)n;
}

const char *ocl_quote(const char *text, size_t len, char *out, size_t out_size)
{
    ocl_strbuf sb;
    ocl_strbuf_init(&sb, out, out_size);
    size_t limit = out_size > 16 ? out_size - 16 : 0;
    for (size_t i = 0; i < len && !sb.overflow; i++) {
        if (sb.len >= limit) {
            ocl_strbuf_puts(&sb, "...");
            break;
        }
        unsigned char c = (unsigned char)text[i];
        if (c >= 0x20 && c < 0x7f)
            ocl_strbuf_add(&sb, (const char *)&c, 1);
        else
            ocl_strbuf_printf(&sb, "\\x%02X", c);
    }
    return out;
}

void ocl_buffer_free(ocl_buffer *buffer)
{
    free(buffer->data);
    buffer->data = NULL;
    buffer->len = buffer->cap = 0;
}

ocl_result ocl_buffer_append(ocl_buffer *buffer, const void *data, size_t len)
{
    if (len > buffer->cap - buffer->len) {
        size_t cap = buffer->cap ? buffer->cap : 4096;
        while (cap - buffer->len < len) {
            if (cap > ((size_t)-1) / 2)
                return OCL_ENOMEM;
            cap *= 2;
        }
        unsigned char *grown = realloc(buffer->data, cap);
        if (!grown)
            return OCL_ENOMEM;
        buffer->data = grown;
        buffer->cap = cap;
    }
    if (len)
        memcpy(buffer->data + buffer->len, data, len);
    buffer->len += len;
    return OCL_OK;
}
