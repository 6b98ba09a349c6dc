/* The comparison's part of report.html (`itpsim compare`): what was
 * compared, from DIR/compare.json, and the tables of compare.csv,
 * compare_diff.csv and compare_arms.csv; and the report of a comparison
 * folder, which has no pictures of its own. */
#include "plotdata.h"
#include "htmltab.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "itpsim/json.h"
#include "itpsim/report.h"

/* What was compared: the designs (name, file, hash), seed, replicates,
 * --set values and the provenance. */
static void compare_provenance(FILE *f, const char *json)
{
    char v[4096], k[320], name[256], hash[64];
    html_kv_open(f, "compare-provenance");
    for (int i = 0; itp_json_get(json, "designs", i, name, sizeof name); i++) {
        if (!itp_json_get(json, "files", i, v, sizeof v))
            snprintf(v, sizeof v, "?");
        if (itp_json_get(json, "scenario_hashes", i, hash, sizeof hash)) {
            size_t l = strlen(v);
            snprintf(v + l, sizeof v - l, " (%s)", hash);
        }
        snprintf(k, sizeof k, "design %s%s", name, i ? "" : " (reference)");
        html_kv(f, k, v);
    }
    if (itp_json_get(json, "seed", -1, v, sizeof v))
        html_kv(f, "seed", v);
    if (itp_json_get(json, "replicates", -1, v, sizeof v))
        html_kv(f, "replicates per design", v);
    if (itp_json_get(json, "null", -1, v, sizeof v))
        html_kv(f, "null versions run", strcmp(v, "true") ? "no" : "yes");
    int nsets = 0;
    for (; itp_json_get(json, "sets", nsets, v, sizeof v); nsets++)
        html_kv(f, nsets ? "" : "settings (--set, every design)", v);
    if (!nsets)
        html_kv(f, "settings (--set, every design)", "none");
    static const char *const prov[][2] = {
        {"version", "itpsim version"}, {"command", "command line"},
        {"defaults", "defaults file"}, {"date", "date (UTC)"},
    };
    for (size_t i = 0; i < sizeof prov / sizeof prov[0]; i++)
        if (itp_json_get_member(json, "provenance", prov[i][0], v, sizeof v))
            html_kv(f, prov[i][1], v);
    html_table_close(f);
}

int html_compare(FILE *f, const char *dir)
{
    char path[1200], ref[256] = "the first design";
    snprintf(path, sizeof path, "%s/compare.csv", dir);
    if (access(path, R_OK) != 0)
        return 0;
    char jpath[1200], *json = NULL;
    snprintf(jpath, sizeof jpath, "%s/compare.json", dir);
    plot_read_file(jpath, &json, NULL);
    if (json)
        itp_json_get(json, "reference", -1, ref, sizeof ref);
    fputs("<h2>Comparison of designs</h2>\n<p>Every design ran with the same seed and "
          "replicates: replicate r of each has the same patients' random numbers (common "
          "random numbers). Each design's own run, the files of <code>itpsim run</code>, is "
          "in <code>designs/NAME/</code> (its pictures: <code>itpsim plot "
          "designs/NAME</code>).</p>\n", f);
    if (json)
        compare_provenance(f, json);
    fputs("<h3>Per design and hypothesis</h3>\n<p>Power and its Wilson 95% interval, type I "
          "error under the design's own null, the family-wise error under the global null, "
          "and the expected patients randomised, duration (the month of the analysis ending "
          "the trial) and events, each with its Monte Carlo standard error (MCSE). NA: the "
          "design has no hypothesis of that name.</p>\n", f);
    html_csv_table(f, path, "compare-table");
    fputs("<h3>Differences from ", f);
    html_text(f, ref);
    fputs("</h3>\n<p>Per design and hypothesis both have: the mean over replicates of the "
          "difference d = X(design) - X(reference) in each figure, its paired MCSE sd(d) / "
          "sqrt(R), the unpaired MCSE sqrt(MCSE(design)^2 + MCSE(reference)^2) beside it, and "
          "the paired 95% interval. The paired one is the smaller as far as the two designs "
          "agree replicate by replicate.</p>\n", f);
    snprintf(path, sizeof path, "%s/compare_diff.csv", dir);
    html_csv_table(f, path, "compare-diff-table");
    fputs("<h3>Per design and arm</h3>\n<p>Means over the design trials at the analysis.</p>\n",
          f);
    snprintf(path, sizeof path, "%s/compare_arms.csv", dir);
    html_csv_table(f, path, "compare-arms-table");
    free(json);
    return 1;
}

itp_status itp_compare_report(const char *dir, char *err, size_t errlen)
{
    char pdir[1100];
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    itp_plot_opts po = {.threads = 1};
    return plot_write_report(dir, pdir, NULL, &po, NULL, NULL, 0, err, errlen);
}
