/* The raw text of a scenario and of every file it includes, checked before
 * libconfig reads them; see internal.h. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "internal.h"

/* ---- the raw text, before libconfig ------------------------------------------ */

/* Largest scenario or included file: far above any real scenario, small
 * enough that a wrong file named by mistake is refused at once. */
#define MAX_TEXT_BYTES (16L << 20)
/* libconfig 1.5 refuses deeper @include nesting with its own message; the
 * scan stops there and leaves that to it. */
#define MAX_INCLUDE_DEPTH 10

typedef struct text_scan {
    char *err;         /* the message of a refusal */
    size_t errlen;
    const char *dir;   /* libconfig's include folder: every @include is dir/NAME */
} text_scan;

static itp_status scan_file(const text_scan *ts, const char *file, const char *from,
                            int from_line, int depth);

/* Reads a whole file into a NUL-terminated buffer (caller frees). A file
 * that is not a regular file (a folder, a device, a pipe) or that is larger
 * than MAX_TEXT_BYTES is refused: libconfig's scanner ends the process on a
 * folder, and would read a device forever. from/from_line name the
 * @include that named the file (NULL for the scenario itself). */
static itp_status read_text(const text_scan *ts, const char *file, const char *from,
                            int from_line, char **out, size_t *len)
{
    struct stat sb;
    *out = NULL;
    *len = 0;
    if (stat(file, &sb) != 0) {
        if (from)   /* libconfig says "cannot open include file" with its line */
            return ITP_OK;
        snprintf(ts->err, ts->errlen, "%s: cannot open scenario: %s", file,
                 strerror(errno));
        return ITP_EINPUT;
    }
    const char *why = !S_ISREG(sb.st_mode) ? (S_ISDIR(sb.st_mode) ? "a folder" : "not a regular file")
                      : sb.st_size > MAX_TEXT_BYTES ? "larger than 16 MiB"
                                                   : NULL;
    if (why) {
        if (from)
            snprintf(ts->err, ts->errlen, "%s:%d: @include \"%s\": %s, not a scenario file",
                     from, from_line, file, why);
        else
            snprintf(ts->err, ts->errlen, "%s: %s, not a scenario file", file, why);
        return ITP_EINPUT;
    }
    FILE *f = fopen(file, "rb");
    if (!f) {
        if (from)
            return ITP_OK;
        snprintf(ts->err, ts->errlen, "%s: cannot open scenario: %s", file,
                 strerror(errno));
        return ITP_EINPUT;
    }
    char *buf = malloc((size_t)MAX_TEXT_BYTES + 1);
    if (!buf) {
        fclose(f);
        snprintf(ts->err, ts->errlen, "out of memory");
        return ITP_ENOMEM;
    }
    size_t n = fread(buf, 1, (size_t)MAX_TEXT_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > (size_t)MAX_TEXT_BYTES) {
        free(buf);
        snprintf(ts->err, ts->errlen, "%s: %s", file,
                 bad ? "cannot read the file" : "larger than 16 MiB, not a scenario file");
        return ITP_EINPUT;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return ITP_OK;
}

static int is_name_start(int c) { return isalpha(c) || c == '*'; }
static int is_name_char(int c) { return isalnum(c) || c == '_' || c == '-' || c == '*'; }

/* A whole number without the L suffix, checked against int's range:
 * libconfig 1.5 stores such a literal in an int and silently wraps larger
 * ones (patients = 4294967356 would read as 60). */
static itp_status check_int_literal(const text_scan *ts, const char *file, int line,
                                    const char *name, const char *lit, size_t litlen)
{
    char tok[40];
    int hex = 0;
    size_t k = litlen < sizeof tok - 1 ? litlen : sizeof tok - 1;
    memcpy(tok, lit, k);
    tok[k] = '\0';
    const char *d = tok + (tok[0] == '-' || tok[0] == '+');
    hex = d[0] == '0' && (d[1] == 'x' || d[1] == 'X');
    errno = 0;
    long long v = 0;
    if (hex) {
        unsigned long long u = strtoull(d, NULL, 16);
        v = errno || u > (unsigned long long)INT_MAX + 1 ? LLONG_MAX : (long long)u;
        if (tok[0] == '-')
            v = -v;
    } else {
        v = strtoll(tok, NULL, 10);
    }
    if (litlen < sizeof tok && !errno && v >= INT_MIN && v <= INT_MAX)
        return ITP_OK;
    snprintf(ts->err, ts->errlen,
             "%s:%d: %s%sexpected a whole number from %d to %d (libconfig wraps larger ones), got %.*s",
             file, line, name, name[0] ? ": " : "", INT_MIN, INT_MAX,
             (int)(litlen < 40 ? litlen : 40), lit);
    return ITP_EINPUT;
}

/* Scans libconfig text for what libconfig itself would mishandle: control
 * bytes (a binary file), plain integers beyond int, and @include of a file
 * that is not a regular text file; included files are scanned the same way.
 * Comments and strings are skipped as libconfig skips them. */
static itp_status scan_text(const text_scan *ts, const char *file, const char *buf, size_t n,
                            int depth)
{
    int line = 1, bol = 1;
    char name[64] = "";   /* the setting being assigned */
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)buf[i];
        if (c == 0 || (c < 32 && c != '\n' && c != '\r' && c != '\t')) {
            snprintf(ts->err, ts->errlen,
                     "%s:%d: not a text scenario file (control byte 0x%02x at byte %zu)",
                     file, line, (unsigned)c, i + 1);
            return ITP_EINPUT;
        }
        if (c == '\n') {
            line++;
            bol = 1;
            i++;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            i++;
        } else if (c == '#' || (c == '/' && buf[i + 1] == '/')) {
            while (i < n && buf[i] != '\n' && ((unsigned char)buf[i] >= 32 || buf[i] == '\t' ||
                                               buf[i] == '\r'))
                i++;
        } else if (c == '/' && buf[i + 1] == '*') {
            /* control bytes inside comments are still refused below */
            for (i += 2; i < n && !(buf[i] == '*' && buf[i + 1] == '/'); i++) {
                unsigned char cc = (unsigned char)buf[i];
                if (cc == '\n')
                    line++;
                else if (cc < 32 && cc != '\r' && cc != '\t')
                    break;
            }
            if (i < n && buf[i] == '*')
                i += 2;
            bol = 0;
        } else if (c == '@' && bol && strncmp(buf + i, "@include", 8) == 0) {
            char inc[512], path[1100];
            size_t k = 0;
            for (i += 8; i < n && (buf[i] == ' ' || buf[i] == '\t'); i++)
                ;
            if (i >= n || buf[i] != '"') {
                bol = 0;
                continue;   /* libconfig reports the syntax error */
            }
            for (i++; i < n && buf[i] != '"' && buf[i] != '\n'; i++)
                if (k < sizeof inc - 1)
                    inc[k++] = buf[i];
            inc[k] = '\0';
            if (i < n && buf[i] == '"')
                i++;
            bol = 0;
            if (depth + 1 >= MAX_INCLUDE_DEPTH)
                continue;
            snprintf(path, sizeof path, "%s/%s", ts->dir, inc);
            itp_status st = scan_file(ts, path, file, line, depth + 1);
            if (st)
                return st;
        } else if (c == '"') {
            for (i++; i < n && buf[i] != '"'; i++) {
                if (buf[i] == '\\' && i + 1 < n && buf[i + 1] != '\n')
                    i++;
                if (buf[i] == '\n') {
                    line++;
                } else if ((unsigned char)buf[i] < 32 && buf[i] != '\t' && buf[i] != '\r') {
                    break;   /* refused at the top of the loop */
                }
            }
            if (i < n && buf[i] == '"')
                i++;
            bol = 0;
        } else if (is_name_start(c)) {
            size_t s0 = i;
            while (i < n && is_name_char((unsigned char)buf[i]))
                i++;
            size_t j = i;
            while (j < n && (buf[j] == ' ' || buf[j] == '\t'))
                j++;
            if (j < n && (buf[j] == '=' || buf[j] == ':')) {
                size_t len = i - s0 < sizeof name - 1 ? i - s0 : sizeof name - 1;
                memcpy(name, buf + s0, len);
                name[len] = '\0';
            }
            bol = 0;
        } else if (isdigit(c) || ((c == '-' || c == '+') && isdigit((unsigned char)buf[i + 1]))) {
            size_t s0 = i++;
            int hex = 0;
            if (buf[i - 1] == '0' && (buf[i] == 'x' || buf[i] == 'X'))
                hex = 1;
            else if ((c == '-' || c == '+') && buf[i] == '0' && (buf[i + 1] == 'x' || buf[i + 1] == 'X'))
                hex = 1, i++;
            if (hex) {
                for (i++; i < n && isxdigit((unsigned char)buf[i]); i++)
                    ;
            } else {
                while (i < n && isdigit((unsigned char)buf[i]))
                    i++;
            }
            if (!hex && i < n && (buf[i] == '.' || buf[i] == 'e' || buf[i] == 'E')) {
                /* a float: libconfig reads it as a double (inf when huge,
                 * which the typed readers refuse) */
                while (i < n && (isdigit((unsigned char)buf[i]) || buf[i] == '.' || buf[i] == 'e' ||
                                 buf[i] == 'E' || ((buf[i] == '-' || buf[i] == '+') &&
                                                   (buf[i - 1] == 'e' || buf[i - 1] == 'E'))))
                    i++;
            } else if (i < n && buf[i] == 'L') {
                i += 1 + (i + 1 < n && buf[i + 1] == 'L');
            } else {
                itp_status st = check_int_literal(ts, file, line, name, buf + s0, i - s0);
                if (st)
                    return st;
            }
            bol = 0;
        } else {
            bol = 0;
            i++;
        }
    }
    return ITP_OK;
}

static itp_status scan_file(const text_scan *ts, const char *file, const char *from,
                            int from_line, int depth)
{
    char *buf;
    size_t n;
    itp_status st = read_text(ts, file, from, from_line, &buf, &n);
    if (st || !buf)
        return st;
    if (n == 0 && !from) {
        snprintf(ts->err, ts->errlen, "%s:1: empty scenario file", file);
        free(buf);
        return ITP_EINPUT;
    }
    st = scan_text(ts, file, buf, n, depth);
    free(buf);
    return st;
}

/* The scenario file and every file it includes, before libconfig reads
 * them (see scan_text). */
itp_status itp_cfg_prescan(const char *file, char *err, size_t errlen)
{
    char dir[512];
    itp_cfg_folder_of(file, dir, sizeof dir);
    text_scan ts = {err, errlen, dir};
    return scan_file(&ts, file, NULL, 0, 0);
}
