/* The readers of a scenario's sections, shared by the files of the
 * scenario layer (design.c, schedule.c, events.c; scenario.c calls them in
 * order). Each reads its section from the scenario's root, with the
 * defaults, into scn, and validates it; a refusal names file, line and
 * setting (cfgread.h). */
#ifndef ITPSIM_SCENARIO_INTERNAL_H
#define ITPSIM_SCENARIO_INTERNAL_H

#include "itpsim/scenario.h"

/* design.c */
itp_status itp_scn_read_components(itp_reader *rd, itp_scenario *scn, const config_setting_t *root);
itp_status itp_scn_read_arms(itp_reader *rd, itp_scenario *scn, const config_setting_t *root);
itp_status itp_scn_read_allocation(itp_reader *rd, itp_scenario *scn, const config_setting_t *root);
itp_status itp_scn_read_strata(itp_reader *rd, itp_scenario *scn, const config_setting_t *root);
/* schedule.c */
itp_status itp_scn_read_enrolment(itp_reader *rd, itp_scenario *scn, const config_setting_t *root);
itp_status itp_scn_read_followup(itp_reader *rd, itp_scenario *scn, const config_setting_t *root);
itp_status itp_scn_read_visits(itp_reader *rd, itp_scenario *scn, const config_setting_t *root);
/* Patients times scheduled visits within ITP_MAX_PATIENT_VISITS. */
itp_status itp_scn_check_size(itp_reader *rd, itp_scenario *scn, const config_setting_t *root);
/* events.c */
itp_status itp_scn_read_events(itp_reader *rd, itp_scenario *scn, const config_setting_t *root);

/* exposure.c: fitted_exposures and the arm components outside them */
itp_status itp_scn_check_exposures(itp_reader *rd, itp_scenario *scn, const config_setting_t *root);

#endif
