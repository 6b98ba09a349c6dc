/* Writers for results. Every file is written to a temporary name in its
 * folder and renamed when complete, so an interrupted or failed write never
 * leaves a half file under the final name. */
#ifndef ITPSIM_REPORT_H
#define ITPSIM_REPORT_H

#include <stdio.h>
#include "itpsim/record.h"
#include "itpsim/scenario.h"

/* An output file being written. */
typedef struct itp_out {
    FILE *f;
    char tmp[1024];
    char path[1024];
} itp_out;

/* 1 when this process writes result files: always, but on the ranks other
 * than 0 of an MPI job (the MPI build), whose itp_mkdir_p and itp_out_take
 * do nothing and whose itp_out files are written to /dev/null and never
 * renamed. */
int itp_out_writes(void);
/* Takes the output folder dir for this process, when it exists: an
 * exclusive lock (flock on dir/.itpsim.lock) held until the process ends,
 * then a switch of result files left unfinished there (see
 * itp_out_commit_set) is finished and every temporary (.NAME.tmp-PID, of
 * processes killed outright) removed. ITP_EINPUT, naming the folder, when
 * another process holds it; a folder taken before by this process is
 * taken again at once. */
itp_status itp_out_take(const char *dir, char *err, size_t errlen);
/* Creates dir (and its parents) when missing, and takes it (itp_out_take). */
itp_status itp_mkdir_p(const char *dir, char *err, size_t errlen);
/* For a reader of dir's results: finishes a switch of its result files
 * that a process killed in the middle of it left (waiting up to 10 s for a
 * live writer to finish its own), so that what is read is one set. */
itp_status itp_out_settle(const char *dir, char *err, size_t errlen);
/* Opens dir/.name.tmp-PID for writing. */
itp_status itp_out_open(itp_out *o, const char *dir, const char *name, char *err,
                        size_t errlen);
/* Flushes, syncs, closes and renames to the final name; on any write error
 * removes the temporary file and returns ITP_EIO with the reason (say, "No
 * space left on device") in err. */
itp_status itp_out_commit(itp_out *o, char *err, size_t errlen);
/* Commits n files as one: itp_out_commit_set without removals. */
itp_status itp_out_commit_all(itp_out *const *o, int n, char *err, size_t errlen);
/* Commits n files of one folder as a set, removing the files named in gone
 * (n_gone of them: files of an earlier set that the new one does not
 * have). Each file is flushed, synced and closed first; when any write
 * failed every temporary is removed, no final file is touched, and err
 * names the first failure. Otherwise the list of renames and removals is
 * written to dir/.itpsim.switch and synced before the first rename, and
 * removed after the last: a process killed in between leaves it, and the
 * next itp_out_take or itp_out_settle of the folder finishes the switch. */
itp_status itp_out_commit_set(itp_out *const *o, int n, const char *const *gone, int n_gone,
                              char *err, size_t errlen);
/* Abandons the file (removes the temporary). */
void itp_out_abort(itp_out *o);

struct itp_hyp_result;
struct itp_outcome;

/* The flag of a hypothesis result as written in analysis.csv and
 * replicates.csv: "monotone_likelihood", "not_estimable", "no_test" (the
 * first that applies) or "" when none. */
const char *itp_hyp_flag_text(unsigned flags);
/* DIR/analysis.csv: one row per hypothesis. */
itp_status itp_write_analysis(const char *dir, const itp_scenario *scn,
                              const struct itp_hyp_result *res, char *err, size_t errlen);
/* The files of `itpsim simulate` as one set (itp_out_commit_set):
 * patients.csv (one row per patient), visits.csv (one row per observed
 * count), events.csv (one row per event of the treatments' log),
 * endpoints.csv with endpoints (one row per patient; for each
 * time-to-event endpoint NAME the columns NAME_days, NAME_event,
 * NAME_cause, for each binary endpoint a 0/1 column NAME, NA when not
 * evaluable; outcomes as itp_endpoints_eval writes them) and analysis.csv
 * with an analysis plan (as itp_write_analysis); a failure leaves the
 * folder's earlier set as it was. */
itp_status itp_write_simulation(const char *dir, const itp_scenario *scn, const itp_record *rec,
                                const struct itp_outcome *outcomes,
                                const struct itp_hyp_result *res, char *err, size_t errlen);
/* The analysis as a short table. */
void itp_print_analysis(const itp_scenario *scn, const struct itp_hyp_result *res, FILE *f);

/* Per-arm summary of one replicate. */
typedef struct itp_arm_summary {
    int n;              /* patients randomised to the arm */
    int n_week6;        /* with a week-6 count */
    int ge50_week6;     /* ... of at least 50 */
    int tapered_off;    /* TPO-RA stopped after a taper by the end of week 24 */
    int rescued_late;   /* any rescue after week 8 */
} itp_arm_summary;

void itp_summarise_arms(const itp_scenario *scn, const itp_record *rec,
                        itp_arm_summary *out /* [n_arms] */);
void itp_print_arm_summary(const itp_scenario *scn, const itp_arm_summary *s, FILE *f);

#endif
