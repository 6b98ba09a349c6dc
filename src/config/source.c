/* A scenario's text: the file and every file it includes, vetted and
 * expanded into one text for libconfig, with a map from each line of that
 * text back to its file and line; see internal.h.
 *
 * libconfig 1.5 (Debian 12) opens @include files itself, with no hook to
 * vet them: a folder ends the process in its scanner, a FIFO blocks for
 * ever, a device is read without end. So the includes are resolved here,
 * and libconfig reads one text with no @include left in it. */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

/* Largest scenario, included file, or scenario with all it includes: far
 * above any real scenario, small enough that a wrong file named by mistake
 * (or a file included many times over) is refused at once. */
#define MAX_TEXT_BYTES ((size_t)16 << 20)
/* Levels of nested @include below the top file (libconfig's own limit). */
#define MAX_INCLUDE_DEPTH 10
/* What messages call standard input. */
#define STDIN_NAME "<stdin>"

typedef struct open_file {
    dev_t dev;
    ino_t ino;
    unsigned index;   /* in src->files */
} open_file;

typedef struct expander {
    itp_source *src;
    char *err;
    size_t errlen;
    size_t cap_text, cap_lines;
    open_file chain[MAX_INCLUDE_DEPTH + 1];   /* the files being read, outermost first */
    int depth;
} expander;

/* ---- standard input, read once -------------------------------------------------- */

/* A scenario given as "-" is read from standard input the first time and
 * kept: a sweep or a calibration reads its scenario once per point. */
static struct {
    int read;
    char *text;
    size_t len;
    char err[128];
} stdin_cache;

static void read_stdin(void)
{
    stdin_cache.read = 1;
    char *buf = malloc(MAX_TEXT_BYTES + 1);
    size_t n = 0;
    if (!buf) {
        snprintf(stdin_cache.err, sizeof stdin_cache.err, "out of memory");
        return;
    }
    for (;;) {
        ssize_t k = read(STDIN_FILENO, buf + n, MAX_TEXT_BYTES + 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            snprintf(stdin_cache.err, sizeof stdin_cache.err, "cannot read: %s", strerror(errno));
            free(buf);
            return;
        }
        n += (size_t)k;
        if (k == 0 || n > MAX_TEXT_BYTES)
            break;
    }
    if (n > MAX_TEXT_BYTES) {
        snprintf(stdin_cache.err, sizeof stdin_cache.err, "larger than 16 MiB, not a scenario");
        free(buf);
        return;
    }
    buf[n] = '\0';
    stdin_cache.text = buf;
    stdin_cache.len = n;
}

/* ---- the expanded text and its line map ----------------------------------------- */

__attribute__((format(printf, 2, 3)))
static itp_status fail(const expander *ex, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ex->err, ex->errlen, fmt, ap);
    va_end(ap);
    return ITP_EINPUT;
}

static itp_status add_file(expander *ex, const char *shown, unsigned *index)
{
    itp_source *src = ex->src;
    char **files = realloc(src->files, (src->n_files + 1) * sizeof *files);
    if (!files)
        return fail(ex, "out of memory");
    src->files = files;
    if (!(files[src->n_files] = strdup(shown)))
        return fail(ex, "out of memory");
    *index = (unsigned)src->n_files++;
    return ITP_OK;
}

static itp_status add_line(expander *ex, unsigned file, unsigned line)
{
    itp_source *src = ex->src;
    if (src->n_lines == ex->cap_lines) {
        size_t cap = ex->cap_lines ? 2 * ex->cap_lines : 256;
        unsigned *f = realloc(src->line_file, cap * sizeof *f);
        if (f)
            src->line_file = f;
        unsigned *l = f ? realloc(src->line_no, cap * sizeof *l) : NULL;
        if (!l)
            return fail(ex, "out of memory");
        src->line_no = l;
        ex->cap_lines = cap;
    }
    src->line_file[src->n_lines] = file;
    src->line_no[src->n_lines++] = line;
    return ITP_OK;
}

/* Appends n bytes of file `file` that begin at the start of its line
 * `line`, ending them with a newline when they do not: the text stays at
 * the start of a line, so that each of its lines maps to one file line. */
static itp_status append(expander *ex, unsigned file, unsigned line, const char *p, size_t n)
{
    itp_source *src = ex->src;
    if (n == 0)
        return ITP_OK;
    if (src->len + n + 2 > MAX_TEXT_BYTES)
        return fail(ex, "%s: with the files it includes, larger than 16 MiB, not a scenario",
                    src->files[0]);
    if (src->len + n + 2 > ex->cap_text) {
        size_t cap = ex->cap_text ? ex->cap_text : 4096;
        while (cap < src->len + n + 2)
            cap *= 2;
        char *t = realloc(src->text, cap);
        if (!t)
            return fail(ex, "out of memory");
        src->text = t;
        ex->cap_text = cap;
    }
    itp_status st = add_line(ex, file, line);
    for (size_t i = 0; !st && i + 1 < n; i++)
        if (p[i] == '\n')
            st = add_line(ex, file, ++line);
    if (st)
        return st;
    memcpy(src->text + src->len, p, n);
    src->len += n;
    if (p[n - 1] != '\n')
        src->text[src->len++] = '\n';
    src->text[src->len] = '\0';
    return ITP_OK;
}

/* ---- reading one file ----------------------------------------------------------- */

/* A whole file into a NUL-terminated buffer (caller frees), opened without
 * blocking and checked on the open descriptor: a folder, a FIFO, a device
 * or a file over MAX_TEXT_BYTES is refused before a byte is read. `what`
 * begins the message ("FILE:LINE: @include \"NAME\"" or "FILE"); an
 * included file that cannot be opened is named with the folder it was
 * looked for in (looked_in, NULL for the top file). */
static itp_status read_file(const expander *ex, const char *path, const char *what,
                            const char *looked_in, const char *kind, char **out, size_t *len,
                            struct stat *sb)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 && looked_in)
        return fail(ex, "%s: cannot open %s: %s (looked in %s)", what, path, strerror(errno),
                    looked_in);
    if (fd < 0)
        return fail(ex, "%s: cannot open %s: %s", what, kind, strerror(errno));
    const char *why = NULL;
    if (fstat(fd, sb) != 0)
        why = strerror(errno);
    else if (S_ISDIR(sb->st_mode))
        why = "a folder";
    else if (S_ISFIFO(sb->st_mode))
        why = "a pipe (FIFO)";
    else if (!S_ISREG(sb->st_mode))
        why = "a device or other special file";
    else if ((unsigned long long)sb->st_size > MAX_TEXT_BYTES)
        why = "larger than 16 MiB";
    if (why) {
        close(fd);
        return fail(ex, "%s: %s, not a %s file", what, why, kind);
    }
    size_t cap = (size_t)sb->st_size + 1, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return fail(ex, "out of memory");
    }
    for (;;) {   /* to the end, even if the file grew since fstat */
        if (n == cap) {
            if (cap > MAX_TEXT_BYTES)
                break;
            char *b = realloc(buf, 2 * cap + 1);
            if (!b)
                break;
            buf = b;
            cap *= 2;
        }
        ssize_t k = read(fd, buf + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k < 0)
                why = strerror(errno);
            break;
        }
        n += (size_t)k;
    }
    close(fd);
    if (why || n > MAX_TEXT_BYTES || n == cap) {
        free(buf);
        return fail(ex, "%s: %s", what, why ? why : n > MAX_TEXT_BYTES ? "larger than 16 MiB"
                                                                        : "out of memory");
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return ITP_OK;
}

/* ---- scanning and expanding ------------------------------------------------------- */

static int is_name_start(int c) { return isalpha(c) || c == '*'; }
static int is_name_char(int c) { return isalnum(c) || c == '_' || c == '-' || c == '*'; }

/* A whole number without the L suffix, checked against int's range:
 * libconfig 1.5 stores such a literal in an int and silently wraps larger
 * ones (patients = 4294967356 would read as 60). Leading zeros are
 * allowed (0000000000000060 is 60). */
static itp_status check_int_literal(const expander *ex, const char *file, unsigned line,
                                    const char *name, const char *lit, size_t litlen)
{
    const char *d = lit + (lit[0] == '-' || lit[0] == '+');
    int neg = lit[0] == '-';
    int hex = d[0] == '0' && (d[1] == 'x' || d[1] == 'X');
    const char *e = lit + litlen;
    if (hex)
        d += 2;
    while (d < e - 1 && *d == '0')
        d++;
    unsigned long long v = 0, limit = neg ? (unsigned long long)INT_MAX + 1 : INT_MAX;
    int over = 0;
    for (; d < e && !over; d++) {
        unsigned dig = isdigit((unsigned char)*d) ? (unsigned)(*d - '0')
                                                  : (unsigned)(tolower((unsigned char)*d) - 'a' + 10);
        v = v * (hex ? 16 : 10) + dig;
        over = v > limit;
    }
    if (!over)
        return ITP_OK;
    return fail(ex, "%s:%u: %s%sexpected a whole number from %d to %d (libconfig wraps larger "
                "ones), got %.*s", file, line, name, name[0] ? ": " : "", INT_MIN, INT_MAX,
                (int)(litlen < 40 ? litlen : 40), lit);
}

static itp_status expand_file(expander *ex, const char *path, const char *what,
                              const char *looked_in);

/* The @include directive at buf[*i] (just past "@include") of line `line`
 * of file `file`: its name, unescaped as libconfig unescapes strings
 * (\\ and \"), then the rest of the line, which may hold only blanks and a
 * comment. *i ends past the line's newline. */
static itp_status include_name(const expander *ex, const char *file, unsigned line,
                               const char *buf, size_t n, size_t *i, char *name, size_t len)
{
    size_t j = *i, k = 0;
    while (j < n && (buf[j] == ' ' || buf[j] == '\t'))
        j++;
    if (j >= n || buf[j] != '"')
        return fail(ex, "%s:%u: @include: expected a file name in double quotes", file, line);
    for (j++; j < n && buf[j] != '"'; j++) {
        char c = buf[j];
        if (c == '\\' && j + 1 < n && (buf[j + 1] == '\\' || buf[j + 1] == '"'))
            c = buf[++j];
        else if (c == '\\')
            return fail(ex, "%s:%u: @include: only \\\\ and \\\" may be escaped in a file name",
                        file, line);
        if ((unsigned char)c < 32)
            return fail(ex, "%s:%u: @include: the file name is not closed on its line", file, line);
        if (k + 1 >= len)
            return fail(ex, "%s:%u: @include: a file name of at most %zu characters expected",
                        file, line, len - 1);
        name[k++] = c;
    }
    if (j >= n)
        return fail(ex, "%s:%u: @include: the file name is not closed on its line", file, line);
    name[k] = '\0';
    if (!k)
        return fail(ex, "%s:%u: @include: an empty file name", file, line);
    for (j++; j < n && (buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\r'); j++)
        ;
    if (j < n && (buf[j] == '#' || (buf[j] == '/' && j + 1 < n && buf[j + 1] == '/')))
        while (j < n && buf[j] != '\n')
            j++;
    if (j < n && buf[j] != '\n')
        return fail(ex, "%s:%u: @include \"%s\": nothing but a comment may follow on its line",
                    file, line, name);
    *i = j < n ? j + 1 : j;
    return ITP_OK;
}

/* One @include: the path is the name when absolute, else relative to the
 * folder of the including file. */
static itp_status include(expander *ex, const char *file, unsigned line, const char *name)
{
    char dir[PATH_MAX], path[PATH_MAX + 256], what[PATH_MAX + 320];
    itp_cfg_folder_of(file, dir, sizeof dir);
    if (!strcmp(file, STDIN_NAME))
        snprintf(dir, sizeof dir, ".");
    int w = name[0] == '/' || !strcmp(dir, ".") ? snprintf(path, sizeof path, "%s", name)
                                                : snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(what, sizeof what, "%s:%u: @include \"%s\"", file, line, name);
    if (w < 0 || (size_t)w >= sizeof path)
        return fail(ex, "%s: the path is too long", what);
    if (ex->depth > MAX_INCLUDE_DEPTH)
        return fail(ex, "%s: includes nested more than %d deep", what, MAX_INCLUDE_DEPTH);
    char looked[PATH_MAX];   /* the folder the file was looked for in */
    itp_cfg_folder_of(path, looked, sizeof looked);
    return expand_file(ex, path, what, !strcmp(looked, ".") ? "the working folder" : looked);
}

/* Scans libconfig text for what libconfig itself would mishandle (control
 * bytes, as in a binary file; plain integers beyond int) and copies it to
 * the expanded text, each @include replaced by the included file's text.
 * Comments and strings are skipped as libconfig skips them. */
static itp_status scan_text(expander *ex, unsigned fidx, const char *buf, size_t n)
{
    const char *file = ex->src->files[fidx];
    unsigned line = 1, copied_line = 1;
    int bol = 1;
    size_t copied = 0, line_start = 0;
    char name[64] = "";   /* the setting being assigned */
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)buf[i];
        if (c == 0 || (c < 32 && c != '\n' && c != '\r' && c != '\t'))
            return fail(ex, "%s:%u: not a text scenario file (control byte 0x%02x at byte %zu)",
                        file, line, (unsigned)c, i + 1);
        if (c == '\n') {
            line++;
            bol = 1;
            line_start = ++i;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            i++;
        } else if (c == '#' || (c == '/' && buf[i + 1] == '/')) {
            while (i < n && buf[i] != '\n' && ((unsigned char)buf[i] >= 32 || buf[i] == '\t' ||
                                               buf[i] == '\r'))
                i++;
        } else if (c == '/' && buf[i + 1] == '*') {
            /* control bytes inside comments are still refused above */
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
            char inc[PATH_MAX];
            i += 8;
            itp_status st = include_name(ex, file, line, buf, n, &i, inc, sizeof inc);
            if (!st)   /* the text before the directive's line, then the file */
                st = append(ex, fidx, copied_line, buf + copied, line_start - copied);
            if (!st)
                st = include(ex, file, line, inc);
            if (st)
                return st;
            file = ex->src->files[fidx];   /* (the table may have moved) */
            line++;
            copied = line_start = i;
            copied_line = line;
        } else if (c == '"') {
            for (i++; i < n && buf[i] != '"'; i++) {
                if (buf[i] == '\\' && i + 1 < n && buf[i + 1] != '\n')
                    i++;
                if (buf[i] == '\n')
                    line++;
                else if ((unsigned char)buf[i] < 32 && buf[i] != '\t' && buf[i] != '\r')
                    break;   /* refused at the top of the loop */
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
                itp_status st = check_int_literal(ex, file, line, name, buf + s0, i - s0);
                if (st)
                    return st;
            }
            bol = 0;
        } else {
            bol = 0;
            i++;
        }
    }
    return append(ex, fidx, copied_line, buf + copied, n - copied);
}

/* Reads, vets and expands one file (path "-" for standard input; named by
 * its path in messages); `what` and looked_in open the messages about
 * opening it (read_file). */
static itp_status expand_file(expander *ex, const char *path, const char *what,
                              const char *looked_in)
{
    const char *shown = path;
    char *buf = NULL;
    size_t n = 0;
    struct stat sb = {0};
    int top = ex->depth == 0 && ex->src->n_files == 0;
    const char *kind = top ? ex->src->kind : "scenario";
    if (!strcmp(path, "-") && top) {
        if (!stdin_cache.read)
            read_stdin();
        if (!stdin_cache.text)
            return fail(ex, "%s: %s", STDIN_NAME, stdin_cache.err);
        shown = STDIN_NAME;
        if (!(buf = malloc(stdin_cache.len + 1)))
            return fail(ex, "out of memory");
        memcpy(buf, stdin_cache.text, stdin_cache.len + 1);
        n = stdin_cache.len;
    } else {
        itp_status st = read_file(ex, path, what, looked_in, kind, &buf, &n, &sb);
        if (st)
            return st;
        for (int d = 0; d < ex->depth; d++)
            if (ex->chain[d].dev == sb.st_dev && ex->chain[d].ino == sb.st_ino) {
                free(buf);
                return fail(ex, "%s: includes itself (through %s)", what,
                            ex->src->files[ex->chain[d].index]);
            }
    }
    unsigned fidx = 0;
    itp_status st = add_file(ex, shown, &fidx);
    if (!st && n == 0 && top)
        st = fail(ex, "%s:1: empty %s file", shown, kind);
    if (!st) {
        ex->chain[ex->depth++] = (open_file){sb.st_dev, sb.st_ino, fidx};
        st = scan_text(ex, fidx, buf, n);
        ex->depth--;
    }
    free(buf);
    return st;
}

itp_status itp_source_read(itp_source *src, const char *file, const char *kind, char *err,
                           size_t errlen)
{
    memset(src, 0, sizeof *src);
    snprintf(src->kind, sizeof src->kind, "%s", kind);
    expander ex = {.src = src, .err = err, .errlen = errlen};
    itp_status st = expand_file(&ex, file, file, NULL);
    if (!st && !src->text)   /* (a file of blank lines and includes of empty files) */
        st = append(&ex, 0, 1, "\n", 1);
    if (st)
        itp_source_free(src);
    return st;
}

const char *itp_source_where(const itp_source *src, unsigned line, unsigned *file_line)
{
    if (!src->n_files)
        return "";
    if (line < 1 || line > src->n_lines) {
        /* past the last line (an error at the end of the text): the last */
        line = src->n_lines ? (unsigned)src->n_lines : 1;
        if (!src->n_lines) {
            *file_line = 1;
            return src->files[0];
        }
    }
    *file_line = src->line_no[line - 1];
    return src->files[src->line_file[line - 1]];
}

void itp_source_free(itp_source *src)
{
    for (size_t i = 0; i < src->n_files; i++)
        free(src->files[i]);
    free(src->files);
    free(src->text);
    free(src->line_file);
    free(src->line_no);
    memset(src, 0, sizeof *src);
}

const char *itp_cfg_stdin_text(size_t *len)
{
    *len = stdin_cache.len;
    return stdin_cache.text;
}
