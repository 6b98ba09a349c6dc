/* The output folder and its files; see report.h.
 *
 * One writer per folder: a process writing results into DIR holds an
 * exclusive flock(2) on DIR/.itpsim.lock (taken once, held to the exit,
 * which releases it however the process ends; the lock file records the
 * holder's process id for the message of a refused second writer).
 *
 * Result sets switched as one: the files of a set are written as
 * DIR/.NAME.tmp-PID, flushed and synced; then DIR/.itpsim.switch, the list
 * of the renames (and removals) that make the set, is written the same way
 * and renamed into place: from that moment the new set is decided. The
 * renames follow, and the list is removed last. A process stopped between
 * the renames (SIGKILL, power loss; SIGINT and SIGTERM wait until the
 * switch is done) leaves the list behind, and whoever opens the folder
 * next, to write or to read it, finishes the switch first: the folder holds
 * the old set or the new one, never a mixture. */
#include "itpsim/report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef ITP_MPI
#include <mpi.h>
#endif

#define LOCK_NAME ".itpsim.lock"
#define SWITCH_NAME ".itpsim.switch"
#define SWITCH_MAGIC "itpsim-switch 1"

int itp_out_writes(void)
{
#ifdef ITP_MPI
    /* An MPI job: every rank holds the same results (engine.c), rank 0
     * alone writes them. */
    int on = 0, off = 0, rank = 0;
    MPI_Initialized(&on);
    if (on)
        MPI_Finalized(&off);
    if (on && !off)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank == 0;
#else
    return 1;
#endif
}

/* ---- the lock -------------------------------------------------------------------- */

/* The process id in the lock file, or 0. */
static long lock_holder(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strtol(buf, NULL, 10);
}

/* Locks dir for this process. 0: locked now (*fd the descriptor, to keep
 * open) or already by this process (*fd -1); 1: another process holds it
 * (*holder its id, 0 when unknown); -1: the lock file cannot be made
 * (errno). */
static int lock_dir(const char *dir, int *fd, long *holder)
{
    char path[1100];
    *fd = -1;
    *holder = 0;
    if (snprintf(path, sizeof path, "%s/%s", dir, LOCK_NAME) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (f < 0)
        return -1;
    if (flock(f, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        *holder = lock_holder(f);
        close(f);
        if (e != EWOULDBLOCK) {
            errno = e;
            return -1;
        }
        /* a second descriptor of this process conflicts with its own lock:
         * the holder's id tells */
        return *holder == (long)getpid() ? 0 : 1;
    }
    char id[32];
    int n = snprintf(id, sizeof id, "%ld\n", (long)getpid());
    if (ftruncate(f, 0) != 0 || pwrite(f, id, (size_t)n, 0) != n) {
        /* the lock holds without the id; only messages miss it */
    }
    *fd = f;
    return 0;
}

static void fsync_dir(const char *dir)
{
    int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d >= 0) {
        fsync(d);
        close(d);
    }
}

/* ---- the switch of a result set ------------------------------------------------ */

static int plain_name(const char *s)
{
    return s[0] && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* Finishes the switch DIR/.itpsim.switch describes, if any: its renames
 * whose temporary is still there, its removals, then the list itself. */
static itp_status finish_switch(const char *dir, char *err, size_t errlen)
{
    char path[1100], line[1200], a[520], b[520], from[1100], to[1100];
    snprintf(path, sizeof path, "%s/%s", dir, SWITCH_NAME);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return ITP_OK;
        snprintf(err, errlen, "%s: cannot read it: %s", path, strerror(errno));
        return ITP_EIO;
    }
    /* read in full and checked before anything is renamed */
    int ok = fgets(line, sizeof line, f) && !strcmp(line, SWITCH_MAGIC "\n"), ended = 0;
    char (*op)[2][520] = NULL;
    int *kind = NULL, n = 0, cap = 0;
    while (ok && !ended && fgets(line, sizeof line, f)) {
        if (!strcmp(line, "end\n")) {
            ended = 1;
            break;
        }
        int k = sscanf(line, "rename %519s %519s", a, b) == 2 ? 1
                : sscanf(line, "remove %519s", b) == 1 ? 2 : 0;
        ok = k && plain_name(b) && (k == 2 || plain_name(a));
        if (ok && n == cap) {
            int nc = cap ? 2 * cap : 16;
            void *p1 = realloc(op, (size_t)nc * sizeof *op), *p2 = p1 ? realloc(kind, (size_t)nc * sizeof *kind) : NULL;
            if (p1)
                op = p1;
            if (p2)
                kind = p2;
            ok = p1 && p2;
            cap = ok ? nc : cap;
        }
        if (ok) {
            kind[n] = k;
            snprintf(op[n][0], 520, "%s", k == 1 ? a : "");
            snprintf(op[n][1], 520, "%s", b);
            n++;
        }
    }
    fclose(f);
    itp_status st = ITP_OK;
    if (!ok || !ended) {
        snprintf(err, errlen, "%s: damaged (not a list of renames written by itpsim); the "
                 "folder's result files may be of two runs: remove them, or run again with "
                 "--force", path);
        st = ITP_EINPUT;
    }
    for (int i = 0; !st && i < n; i++) {
        struct stat sb;
        snprintf(to, sizeof to, "%s/%s", dir, op[i][1]);
        if (kind[i] == 2) {
            if (remove(to) != 0 && errno != ENOENT) {
                snprintf(err, errlen, "%s: cannot remove it: %s", to, strerror(errno));
                st = ITP_EIO;
            }
            continue;
        }
        snprintf(from, sizeof from, "%s/%s", dir, op[i][0]);
        if (lstat(from, &sb) == 0) {
            if (rename(from, to) != 0) {
                snprintf(err, errlen, "%s: cannot rename into place: %s", to, strerror(errno));
                st = ITP_EIO;
            }
        } else if (lstat(to, &sb) != 0) {
            /* neither the temporary nor the final file: not this list's folder */
            snprintf(err, errlen, "%s: %s is missing, and %s with it; the folder's result files "
                     "may be of two runs: remove them, or run again with --force",
                     path, op[i][0], op[i][1]);
            st = ITP_EINPUT;
        }
    }
    free(op);
    free(kind);
    if (st)
        return st;
    fsync_dir(dir);
    if (remove(path) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "%s: cannot remove it: %s", path, strerror(errno));
        return ITP_EIO;
    }
    fsync_dir(dir);
    return ITP_OK;
}

/* A temporary of itp_out_open: .NAME.tmp-DIGITS. */
static int is_temporary(const char *name)
{
    const char *t = strstr(name, ".tmp-");
    if (name[0] != '.' || !t || t == name)
        return 0;
    for (t += 5; *t; t++)
        if (*t < '0' || *t > '9')
            return 0;
    return t[-1] != '-';
}

/* Removes every temporary in dir: with the folder locked, none belongs to
 * a live writer (a process killed outright left them). */
static void remove_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[1400];
    while ((e = readdir(d)) != NULL)
        if (is_temporary(e->d_name) &&
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
            unlink(path);
    closedir(d);
}

static itp_status busy(const char *dir, long holder, char *err, size_t errlen)
{
    char who[48] = "";
    if (holder > 0)
        snprintf(who, sizeof who, " (process %ld)", holder);
    snprintf(err, errlen, "%s is in use: another itpsim%s is writing results there; wait for it "
             "to end, or use -o for another folder", dir, who);
    return ITP_EINPUT;
}

itp_status itp_out_take(const char *dir, char *err, size_t errlen)
{
    struct stat sb;
    if (!itp_out_writes() || stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return ITP_OK;   /* nothing to lock yet: itp_mkdir_p takes it once made */
    int fd;
    long holder;
    int r = lock_dir(dir, &fd, &holder);
    if (r > 0)
        return busy(dir, holder, err, errlen);
    if (r < 0) {
        snprintf(err, errlen, "%s/%s: cannot lock the folder: %s", dir, LOCK_NAME,
                 strerror(errno));
        return ITP_EIO;
    }
    if (fd < 0)
        return ITP_OK;   /* this process took it before */
    /* fd stays open, and the folder locked, until the process ends */
    itp_status st = finish_switch(dir, err, errlen);
    if (!st)
        remove_temporaries(dir);
    return st;
}

itp_status itp_out_settle(const char *dir, char *err, size_t errlen)
{
    char path[1100];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, SWITCH_NAME);
    if (lstat(path, &sb) != 0)
        return ITP_OK;
    /* A switch to finish: its writer is in the middle of it (a few
     * milliseconds) or is gone; wait for the lock, up to 10 s. */
    for (int i = 0; i < 500; i++) {
        int fd;
        long holder;
        int r = lock_dir(dir, &fd, &holder);
        if (r < 0) {
            snprintf(err, errlen, "%s: an unfinished switch of its result files (%s), and the "
                     "folder cannot be locked to finish it: %s", dir, SWITCH_NAME,
                     strerror(errno));
            return ITP_EINPUT;
        }
        if (r == 0) {
            itp_status st = finish_switch(dir, err, errlen);
            if (fd >= 0)
                close(fd);   /* a reader: the lock only while it finishes */
            return st;
        }
        if (lstat(path, &sb) != 0)
            return ITP_OK;   /* its writer finished it */
        struct timespec ts = {0, 20000000L};
        nanosleep(&ts, NULL);
    }
    return busy(dir, 0, err, errlen);
}

itp_status itp_mkdir_p(const char *dir, char *err, size_t errlen)
{
    char buf[1024];
    if (!itp_out_writes())
        return ITP_OK;
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
        snprintf(err, errlen, "%s: path too long", dir);
        return ITP_EIO;
    }
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "%s: cannot create folder: %s", buf, strerror(errno));
                return ITP_EIO;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: not a folder", dir);
        return ITP_EIO;
    }
    return itp_out_take(dir, err, errlen);
}

/* ---- one file ------------------------------------------------------------------- */

itp_status itp_out_open(itp_out *o, const char *dir, const char *name, char *err,
                        size_t errlen)
{
    o->f = NULL;
    if (snprintf(o->path, sizeof o->path, "%s/%s", dir, name) >= (int)sizeof o->path ||
        snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp-%ld", dir, name, (long)getpid()) >=
            (int)sizeof o->tmp) {
        snprintf(err, errlen, "%s: path too long", dir);
        return ITP_EIO;
    }
    if (!itp_out_writes()) {
        /* written in full, and discarded: no temporary name to rename */
        o->tmp[0] = '\0';
        o->f = fopen("/dev/null", "w");
        if (!o->f) {
            snprintf(err, errlen, "/dev/null: cannot write: %s", strerror(errno));
            return ITP_EIO;
        }
        return ITP_OK;
    }
    /* Created afresh ("x"): never through a link or a file left there; a
     * leftover of an earlier process with the same id is removed first. */
    o->f = fopen(o->tmp, "wx");
    if (!o->f && errno == EEXIST && unlink(o->tmp) == 0)
        o->f = fopen(o->tmp, "wx");
    if (!o->f) {
        snprintf(err, errlen, "%s: cannot write: %s", o->tmp, strerror(errno));
        return ITP_EIO;
    }
    return ITP_OK;
}

/* Flushes, syncs and closes o->f; 0, or the errno of the first failure.
 * After a failed write the stream's error flag is set but errno may have
 * changed since: the buffer is flushed again to learn the reason. */
static int out_close(itp_out *o)
{
    int saved = 0;
    if (ferror(o->f)) {
        clearerr(o->f);
        saved = fflush(o->f) != 0 && errno ? errno : EIO;
    }
    if (!saved && fflush(o->f) != 0)
        saved = errno ? errno : EIO;
    /* On the disk before the rename, so a crash leaves the old file or the
     * new one, never a half-written one under the final name. */
    if (!saved && fsync(fileno(o->f)) != 0 && errno != EINVAL && errno != EROFS)
        saved = errno;
    if (fclose(o->f) != 0 && !saved)
        saved = errno ? errno : EIO;
    o->f = NULL;
    return saved;
}

itp_status itp_out_commit(itp_out *o, char *err, size_t errlen)
{
    itp_out *one[1] = {o};
    return itp_out_commit_set(one, 1, NULL, 0, err, errlen);
}

itp_status itp_out_commit_all(itp_out *const *o, int n, char *err, size_t errlen)
{
    return itp_out_commit_set(o, n, NULL, 0, err, errlen);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The test hook ITPSIM_TEST_RENAME_DELAY_MS: a pause before each rename of
 * a switch, to give a test the time to signal or kill the process there. */
static void rename_delay(void)
{
    const char *v = getenv("ITPSIM_TEST_RENAME_DELAY_MS");
    long ms = v ? strtol(v, NULL, 10) : 0;
    if (ms > 0 && ms <= 10000) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
    }
}

/* The signals a switch defers, and the last of them that came during one:
 * set by a signal handler, which can reach nothing else (a mask would not
 * do: the signal may go to another thread). */
static const int deferred_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define N_DEFERRED 4
static volatile sig_atomic_t deferred;

static void on_deferred(int sig)
{
    deferred = sig;
}

/* Catches the deferred signals (those not ignored) until undefer_signals. */
static void defer_signals(struct sigaction old[N_DEFERRED])
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_deferred;
    sigemptyset(&sa.sa_mask);
    deferred = 0;
    for (int i = 0; i < N_DEFERRED; i++) {
        sigaction(deferred_signals[i], NULL, &old[i]);
        if (old[i].sa_handler != SIG_IGN)
            sigaction(deferred_signals[i], &sa, NULL);
    }
}

/* Restores the handlers, then delivers a signal that came meanwhile. */
static void undefer_signals(const struct sigaction old[N_DEFERRED])
{
    for (int i = 0; i < N_DEFERRED; i++)
        sigaction(deferred_signals[i], &old[i], NULL);
    if (deferred)
        raise(deferred);
}

/* Writes DIR/.itpsim.switch for the set and renames it into place. */
static itp_status write_switch(const char *dir, itp_out *const *o, int n,
                               const char *const *gone, int n_gone, char *err, size_t errlen)
{
    char tmp[1100], path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, SWITCH_NAME);
    snprintf(tmp, sizeof tmp, "%s/%s.tmp-%ld", dir, SWITCH_NAME, (long)getpid());
    unlink(tmp);
    FILE *f = fopen(tmp, "wx");
    if (!f) {
        snprintf(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
        return ITP_EIO;
    }
    fputs(SWITCH_MAGIC "\n", f);
    for (int i = 0; i < n; i++)
        fprintf(f, "rename %s %s\n", base_name(o[i]->tmp), base_name(o[i]->path));
    for (int i = 0; i < n_gone; i++)
        fprintf(f, "remove %s\n", gone[i]);
    fputs("end\n", f);
    int e = ferror(f) || fflush(f) != 0 ? (errno ? errno : EIO) : 0;
    if (!e && fsync(fileno(f)) != 0 && errno != EINVAL && errno != EROFS)
        e = errno;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e) {
        remove(tmp);
        snprintf(err, errlen, "%s: write failed: %s", path, strerror(e));
        return ITP_EIO;
    }
    fsync_dir(dir);
    return ITP_OK;
}

itp_status itp_out_commit_set(itp_out *const *o, int n, const char *const *gone, int n_gone,
                              char *err, size_t errlen)
{
    int bad = -1, why = 0;
    for (int i = 0; i < n; i++) {
        int e = o[i]->f ? out_close(o[i]) : EBADF;
        if (e && bad < 0) {
            bad = i;
            why = e;
        }
    }
    if (bad >= 0) {
        snprintf(err, errlen, "%s: write failed: %s", o[bad]->path, strerror(why));
        for (int i = 0; i < n; i++)
            if (o[i]->tmp[0])
                remove(o[i]->tmp);
        return ITP_EIO;
    }
    if (n == 0 || !o[0]->tmp[0])
        return ITP_OK;   /* a rank that does not write */
    char dir[1024];
    const char *b = base_name(o[0]->path);
    snprintf(dir, sizeof dir, "%.*s", b > o[0]->path ? (int)(b - o[0]->path - 1) : 1,
             b > o[0]->path ? o[0]->path : ".");
    if (n == 1 && n_gone == 0) {
        /* one file: its rename is the switch */
        if (rename(o[0]->tmp, o[0]->path) != 0) {
            snprintf(err, errlen, "%s: cannot rename into place: %s", o[0]->path,
                     strerror(errno));
            remove(o[0]->tmp);
            return ITP_EIO;
        }
        fsync_dir(dir);
        return ITP_OK;
    }
    itp_status st = write_switch(dir, o, n, gone, n_gone, err, errlen);
    if (st) {
        for (int i = 0; i < n; i++)
            remove(o[i]->tmp);
        return st;
    }
    /* The set is decided: SIGINT, SIGTERM, SIGHUP and SIGQUIT wait until
     * the renames are done (a killed process leaves the list, which the
     * next to open the folder finishes). */
    struct sigaction old[N_DEFERRED];
    defer_signals(old);
    for (int i = 0; i < n && !st; i++) {
        rename_delay();
        if (rename(o[i]->tmp, o[i]->path) != 0) {
            snprintf(err, errlen, "%s: cannot rename into place: %s (the switch is left in "
                     "%s/%s, finished when the folder is next used)", o[i]->path,
                     strerror(errno), dir, SWITCH_NAME);
            st = ITP_EIO;
        }
    }
    for (int i = 0; i < n_gone && !st; i++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", dir, gone[i]);
        if (remove(path) != 0 && errno != ENOENT) {
            snprintf(err, errlen, "%s: cannot remove it: %s", path, strerror(errno));
            st = ITP_EIO;
        }
    }
    if (!st) {
        char path[1100];
        fsync_dir(dir);
        snprintf(path, sizeof path, "%s/%s", dir, SWITCH_NAME);
        remove(path);
        fsync_dir(dir);
    }
    undefer_signals(old);
    return st;
}

void itp_out_abort(itp_out *o)
{
    if (o->f) {
        fclose(o->f);
        if (o->tmp[0])
            remove(o->tmp);
    }
    o->f = NULL;
}
