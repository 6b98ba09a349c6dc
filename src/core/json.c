/* The one JSON reader: top-level values of the summary.json files itpsim
 * writes; see json.h. */
#include "itpsim/json.h"

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

int itp_json_get(const char *json, const char *key, int idx, char *out, size_t outlen)
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
            s = end;
            continue;
        }
        if (*s == '{' || *s == '[')
            depth++;
        else if (*s == '}' || *s == ']')
            depth--;
        s++;
    }
    return 0;
}
