/* Component "corticosteroid": high-dose dexamethasone pulses (40 mg/day x
 * 4 days, a course repeated after 14 days, or every 4 weeks x 1-3) and
 * prednisone courses (1 mg/kg/day x 4 weeks, then tapered), the first-line
 * treatments of ITP (Wei, Blood 2016; Provan, Blood Adv 2019). They act
 * fast, by lowering platelet destruction within days while they act, and
 * bring a lasting remission in some patients, more often in newly
 * diagnosed ones (the population's odds ratio). The rules are those of
 * drugs given in courses (courses.h): the potency puts every steroid on
 * one dose-response scale, in prednisone equivalents, so that the two
 * drugs share one Emax curve. A steroid course may also be the rescue's
 * (rescue.treatments; Provan, Blood Adv 2019, for bleeding or a count
 * too low): its schedule then counts from the rescue's day. */
#include <stdlib.h>
#include "itpsim/courses.h"

const itp_component_type itp_corticosteroid_type = {
    .name = "corticosteroid",
    .description = "corticosteroid courses: destruction lowered while they act, a chance of remission",
    .default_drug = "dexamethasone",
    ITP_COURSE_TYPE_HOOKS,
    .rescue = itp_course_type_rescue,
};
