/* Multiple testing procedures controlling the family-wise error rate in the
 * strong sense, for m one-sided hypotheses H_0 .. H_{m-1} (several doses by
 * several endpoints): Bonferroni, Holm, Hochberg, fixed sequence, and the
 * graphical approach of Bretz, Maurer, Brannath and Posch (Stat Med 2009),
 * which covers the others and gatekeeping as special cases.
 *
 * Every procedure takes the raw p-values p[m] and the overall level alpha
 * and writes rejected[m] (1 = H_i rejected, 0 = not) and adjusted p-values
 * adj[m] in [0, 1], with rejected[i] == (adj[i] <= alpha) up to rounding in
 * the last bit. Procedures are picked by name from the table
 * itp_mult_procedures (see itp_mult_lookup).
 *
 * Ownership: the caller owns the design's arrays, p, rejected, adj and the
 * workspace; procedures allocate nothing and only write rejected, adj and
 * the workspace. One workspace per thread. Formulas and sources are in
 * src/stats/multiplicity.c. */
#ifndef ITPSIM_MULTIPLICITY_H
#define ITPSIM_MULTIPLICITY_H

#include <stddef.h>
#include "itpsim/error.h"

/* The fixed part of a multiplicity strategy: what the analysis plan says
 * before any data are seen. A procedure reads only the fields it uses (see
 * itp_mult_procedure.uses); the others may be NULL. */
typedef struct itp_mult_design {
    size_t m;                 /* number of hypotheses, >= 1 */
    const double *weights;    /* [m] initial weights, each in [0, 1], sum
                                 <= 1; NULL means equal weights 1/m */
    const double *transition; /* [m*m] row-major transition matrix G of the
                                 graphical approach: G[i*m+j] is the share
                                 of H_i's weight passed to H_j when H_i is
                                 rejected; entries in [0, 1], G[i*m+i] = 0,
                                 rows sum to <= 1. Required by "graphical" */
    const size_t *order;      /* [m] fixed-sequence testing order, a
                                 permutation of 0..m-1; NULL means 0..m-1 */
} itp_mult_design;

/* Which design fields a procedure reads. */
enum {
    ITP_MULT_USES_WEIGHTS = 1u << 0,
    ITP_MULT_USES_TRANSITION = 1u << 1,
    ITP_MULT_USES_ORDER = 1u << 2
};

/* Scratch memory for designs of up to m hypotheses; fields are private to
 * the procedures. */
typedef struct itp_mult_workspace {
    size_t m;                 /* capacity in hypotheses */
    double *w;                /* [m] current weights or sort keys */
    double *g;                /* [m*m] current transition matrix */
    size_t *idx;              /* [m] sort order */
    unsigned char *active;    /* [m] 1 while the hypothesis is in the graph */
} itp_mult_workspace;

/* Allocates a workspace for up to m >= 1 hypotheses into *out. Returns
 * ITP_EINPUT for out == NULL or m == 0, ITP_ERANGE when m*m doubles do not
 * fit in size_t, ITP_ENOMEM when an allocation fails (*out is then NULL). */
itp_status itp_mult_workspace_create(itp_mult_workspace **out, size_t m);

/* Frees a workspace; accepts NULL. */
void itp_mult_workspace_free(itp_mult_workspace *ws);

/* Checks the design fields named in uses (ITP_MULT_USES_* bits) and m.
 * Returns ITP_OK, or ITP_EINPUT with a message in msg[msg_size] (when msg is
 * not NULL) naming the entry at fault with 1-based indices, e.g.
 * "transition row 2 sums to 1.25; each row must sum to at most 1".
 * Sums may exceed 1 by 1e-9 to allow for decimal fractions like 1/3. */
itp_status itp_mult_validate(const itp_mult_design *d, unsigned int uses,
                             char *msg, size_t msg_size);

/* Signature shared by every procedure. Returns ITP_EINPUT when d fails
 * itp_mult_validate for the fields the procedure uses, when a p[i] is not
 * in [0, 1], alpha is not in (0, 1), a pointer is NULL, or ws was created
 * for fewer than d->m hypotheses; rejected and adj are then untouched. */
typedef itp_status (*itp_mult_fn)(const itp_mult_design *d, const double *p,
                                  double alpha, itp_mult_workspace *ws,
                                  int *rejected, double *adj);

/* Weighted Bonferroni: reject H_i when p_i <= w_i alpha;
 * adj_i = min(1, p_i / w_i) (1 when w_i = 0). Uses weights. */
itp_status itp_mult_bonferroni(const itp_mult_design *d, const double *p,
                               double alpha, itp_mult_workspace *ws,
                               int *rejected, double *adj);

/* Weighted Holm (Holm 1979): hypotheses in increasing p_i / w_i; with I the
 * hypotheses not yet rejected and s = sum of all weights, H_i is tested at
 * alpha s w_i / sum_{j in I} w_j. With weights summing to s < 1 this is Holm
 * at level alpha s, and it equals the graphical approach with
 * G[i][j] = w_j / sum_{k != i} w_k. Uses weights. */
itp_status itp_mult_holm(const itp_mult_design *d, const double *p,
                         double alpha, itp_mult_workspace *ws,
                         int *rejected, double *adj);

/* Hochberg's step-up procedure (Hochberg 1988), unweighted: adj as R's
 * p.adjust(method = "hochberg"). Reads no design field but m (weights are
 * ignored: the weighted versions are not simple step-up rules). Valid under
 * positive dependence (e.g. the one-sided tests of several doses against a
 * common control), not in general. */
itp_status itp_mult_hochberg(const itp_mult_design *d, const double *p,
                             double alpha, itp_mult_workspace *ws,
                             int *rejected, double *adj);

/* Fixed sequence (Maurer, Hothorn and Lehmacher 1995): test in the given
 * order, each at the full alpha, and stop at the first non-rejection;
 * adj of the k-th tested = max of the first k raw p-values. Uses order. */
itp_status itp_mult_fixed_sequence(const itp_mult_design *d, const double *p,
                                   double alpha, itp_mult_workspace *ws,
                                   int *rejected, double *adj);

/* Graphical approach (Bretz et al. 2009): rejections by their Algorithm 1,
 * adjusted p-values by the sequentially rejective definition of Bretz et al.
 * 2011 (Biom J 53:894), their Algorithm 2 in the 2009 paper. Uses weights
 * and transition. */
itp_status itp_mult_graphical(const itp_mult_design *d, const double *p,
                              double alpha, itp_mult_workspace *ws,
                              int *rejected, double *adj);

/* A procedure by name: "bonferroni", "holm", "hochberg", "fixed_sequence",
 * "graphical". */
typedef struct itp_mult_procedure {
    const char *name;
    itp_mult_fn apply;
    unsigned int uses;        /* ITP_MULT_USES_* bits: design fields read */
    const char *description;  /* one line, for --help and error messages */
} itp_mult_procedure;

/* The table of procedures, terminated by an entry with name NULL. */
extern const itp_mult_procedure itp_mult_procedures[];

/* The procedure called name, or NULL when there is none. */
const itp_mult_procedure *itp_mult_lookup(const char *name);

#endif
