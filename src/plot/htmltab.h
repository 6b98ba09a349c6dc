/* The tables of report.html (htmltab.c), shared with html.c only: escaped
 * text, tables inside a container that scrolls horizontally, numbers in
 * right-aligned cells (class "num"), CSV columns under headers in words. */
#ifndef ITPSIM_HTMLTAB_H
#define ITPSIM_HTMLTAB_H

#include <stdio.h>

/* s with <, >, & and " escaped and control characters but newlines dropped. */
void html_text(FILE *f, const char *s);
/* Is s a number as a CSV cell holds it (or NA)? */
int html_is_num(const char *s);
/* <div class="tw"><table id="ID"> and its end. */
void html_table_open(FILE *f, const char *id);
void html_table_close(FILE *f);
/* The same for a table of html_kv rows (class "kv": its values wrap). */
void html_kv_open(FILE *f, const char *id);
/* A row of a two-column table: the key as its header, the value as text. */
void html_kv(FILE *f, const char *k, const char *v);
/* A header row of escaped texts, the ones from column `num_from` on
 * right-aligned (over numbers); NULL ends the list. */
void html_head_row(FILE *f, int num_from, const char *const *cols);
/* One cell: numbers right-aligned (shortened to 4 significant digits:
 * the full precision is in the CSV), text escaped. */
void html_cell(FILE *f, const char *s);
/* A CSV file as a table, id given: every column, its header in words
 * (power_mcse: MCSE; a X_low, X_high pair as one "95% CI" column). 0 when
 * the file cannot be read. */
int html_csv_table(FILE *f, const char *path, const char *id);

/* A sweep's or sample size search's sections (htmlgrid.c): its grid from
 * json (sweep.json or samplesize.json; NULL: none), a search's fitted
 * size, and the table of power and type I error in wide form, one row per
 * grid point (id "power-wide-table"). 0 when dir holds neither sweep.csv
 * nor samplesize.csv. */
int html_grid(FILE *f, const char *dir, const char *json);
/* A comparison's section (DIR/compare.csv, compare_diff.csv,
 * compare_arms.csv and compare.json, htmlcompare.c); 0 when dir holds no
 * comparison. */
int html_compare(FILE *f, const char *dir);

#endif
