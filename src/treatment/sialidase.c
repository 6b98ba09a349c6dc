/* Component "sialidase_inhibitor": oseltamivir (75 mg twice a day x 10
 * days, with high-dose dexamethasone first line: Sun, Lancet Haematol
 * 2021). Desialylated platelets are cleared in the liver through the
 * Ashwell-Morell receptor, a route that does not need Fc receptors (Li,
 * Nat Commun 2015); blocking desialylation lowers that part of the
 * destruction while the drug is taken, and may make a response last. The
 * rules are those of drugs given in courses (courses.h: one course of
 * days_per_course daily doses, an Emax effect in the daily dose on
 * destruction from onset_days on, a chance of remission per course); its
 * parameters are its own (config/defaults.cfg, sialidase_inhibitor). */
#include <stdlib.h>
#include "itpsim/courses.h"

const itp_component_type itp_sialidase_inhibitor_type = {
    .name = "sialidase_inhibitor",
    .description = "sialidase inhibitor: destruction lowered while taken, a chance of remission",
    .default_drug = "oseltamivir",
    ITP_COURSE_TYPE_HOOKS,
};
