/* Names: the settings a group may hold, and suggestions for a misspelt
 * one (the closest known name by edit distance); see cfgread.h. */
#include "itpsim/cfgread.h"
#include "internal.h"

#include <stdio.h>
#include <string.h>

void itp_type_names(const void *const *table, int quoted, char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    for (int i = 0; table[i]; i++) {
        const char *name = *(const char *const *)table[i];
        const char *sep = i == 0 ? "" : !quoted || table[i + 1] ? ", " : " or ";
        size_t l = strlen(buf);
        snprintf(buf + l, len - l, quoted ? "%s\"%s\"" : "%s%s", sep, name);
    }
}

int itp_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int row[65];
    if (la > 64 || lb > 64)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int sub = prev + (a[i - 1] != b[j - 1]);
            int del = row[j] + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            prev = cur;
        }
    }
    return row[lb];
}

itp_status itp_rd_keys(itp_reader *rd, const config_setting_t *g,
                       const char *const *known, const char *defpath)
{
    return itp_rd_keys_plus(rd, g, known, NULL, defpath);
}

itp_status itp_rd_keys_plus(itp_reader *rd, const config_setting_t *g,
                            const char *const *known, const char *also, const char *defpath)
{
    if (!g)
        return ITP_OK;
    const config_setting_t *dg = NULL;
    if (defpath && rd->defs_ok)
        dg = config_lookup(&rd->defs, defpath);
    int len = config_setting_length(g);
    for (int i = 0; i < len; i++) {
        const config_setting_t *c = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(c);
        if (!name)
            continue;
        int ok = also && strcmp(also, name) == 0;
        for (const char *const *k = known; k && *k && !ok; k++)
            ok = strcmp(*k, name) == 0;
        if (!ok && dg)
            ok = config_setting_get_member(dg, name) != NULL;
        if (ok)
            continue;
        const char *best = also;
        int bestd = also ? itp_edit_distance(name, also) : 1 << 20;
        for (const char *const *k = known; k && *k; k++) {
            int d = itp_edit_distance(name, *k);
            if (d < bestd) { bestd = d; best = *k; }
        }
        for (int j = 0; dg && j < config_setting_length(dg); j++) {
            const char *kn = config_setting_name(config_setting_get_elem(dg, (unsigned)j));
            int d = itp_edit_distance(name, kn);
            if (d < bestd) { bestd = d; best = kn; }
        }
        int limit = (int)strlen(name) / 3 > 2 ? (int)strlen(name) / 3 : 2;
        if (best && bestd <= limit)
            return itp_rd_fail(rd, c, "unknown setting; did you mean '%s'?", best);
        return itp_rd_fail(rd, c, "unknown setting");
    }
    return ITP_OK;
}
