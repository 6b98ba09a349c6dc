/* The one JSON reader: top-level values of the summary.json files itpsim
 * writes; see json.h. */
#include "itpsim/json.h"

#include <stdlib.h>
#include <string.h>

/* Skips a JSON string starting at s (at the quote); returns past its end. */
static const char *json_skip_string(const char *s)
{
    for (s++; *s && *s != '"'; s++)
        if (*s == '\\' && s[1])
            s++;
    return *s ? s + 1 : s;
}

/* Copies the scalar at s (string unescaped, else the literal) into out. */
static void json_scalar(const char *s, char *out, size_t outlen)
{
    size_t k = 0;
    if (*s == '"') {
        for (s++; *s && *s != '"'; s++) {
            char c = *s;
            if (c == '\\' && s[1]) {
                s++;
                c = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
            }
            if (k + 1 < outlen)
                out[k++] = c;
        }
    } else {
        while (*s && !strchr(",}] \t\r\n", *s) && k + 1 < outlen)
            out[k++] = *s++;
    }
    if (outlen)
        out[k] = '\0';
}

/* Where the value of top-level key `key` starts (past the colon and any
 * white space), or NULL. */
static const char *json_value(const char *json, const char *key)
{
    int depth = 0;
    size_t kl = strlen(key);
    for (const char *s = json; *s;) {
        if (*s == '"') {
            const char *end = json_skip_string(s);
            if (depth == 1 && (size_t)(end - s) == kl + 2 && !strncmp(s + 1, key, kl)) {
                const char *v = end;
                while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
                    v++;
                if (*v != ':') {
                    s = end;
                    continue;
                }
                for (v++; *v == ' ' || *v == '\t' || *v == '\r' || *v == '\n'; v++)
                    ;
                return v;
            }
            s = end;
            continue;
        }
        if (*s == '{' || *s == '[')
            depth++;
        else if (*s == '}' || *s == ']')
            depth--;
        s++;
    }
    return NULL;
}

int itp_json_get(const char *json, const char *key, int idx, char *out, size_t outlen)
{
    const char *v = json_value(json, key);
    if (!v)
        return 0;
    if (idx < 0) {
        json_scalar(v, out, outlen);
        return 1;
    }
    if (*v != '[')
        return 0;
    /* the idx-th element of a flat array */
    v++;
    for (int i = 0;; i++) {
        while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
            v++;
        if (!*v || *v == ']')
            return 0;
        if (i == idx) {
            json_scalar(v, out, outlen);
            return 1;
        }
        if (*v == '"')
            v = json_skip_string(v);
        else
            while (*v && *v != ',' && *v != ']')
                v++;
        while (*v && *v != ',' && *v != ']')
            v++;
        if (*v == ',')
            v++;
    }
}

int itp_json_get_member(const char *json, const char *obj, const char *key, char *out,
                        size_t outlen)
{
    const char *v = json_value(json, obj);
    if (!v || *v != '{')
        return 0;
    /* the object's extent, then its own top-level keys */
    const char *e = v;
    int depth = 0;
    do {
        if (*e == '"') {
            e = json_skip_string(e);
            continue;
        }
        if (*e == '{' || *e == '[')
            depth++;
        else if (*e == '}' || *e == ']')
            depth--;
        e++;
    } while (*e && depth > 0);
    size_t n = (size_t)(e - v);
    char *copy = malloc(n + 1);
    if (!copy)
        return 0;
    memcpy(copy, v, n);
    copy[n] = '\0';
    int found = itp_json_get(copy, key, -1, out, outlen);
    free(copy);
    return found;
}

void itp_json_put_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

void itp_json_put_strs(FILE *f, const char *const *s, int n)
{
    fputc('[', f);
    for (int i = 0; s && i < n; i++) {
        fputs(i ? ", " : "", f);
        itp_json_put_str(f, s[i]);
    }
    fputc(']', f);
}
