# rpact's simulation of a group-sequential survival trial, for
# tests/cli/refcheck_gs_sim.sh: the design of tests/reference/gs_sim.cfg
# (two arms 1:1, exponential treatment failure 0.065 and 0.10 per month,
# 10 patients a month to 200, no dropout, final analysis at 120 events,
# interims at 40% and 70% of them, O'Brien-Fleming-type alpha spending at
# one-sided 0.025, non-binding futility at z < 0), under the design and
# under the null (both arms 0.10 per month).
#
# Usage: Rscript gs_sim_reference.R ITERATIONS
# Prints "key value" lines: KIND_eff_K (rejection at analysis K), KIND_fut_K
# (futility stop at interim K), KIND_power, KIND_events, KIND_patients,
# KIND_month_K (mean month of analysis K), KIND in design, null.
suppressPackageStartupMessages(library(rpact))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) >= 1) as.integer(args[1]) else 4000L
d <- getDesignGroupSequential(kMax = 3, alpha = 0.025, sided = 1, typeOfDesign = "asOF",
                              informationRates = c(0.4, 0.7, 1), futilityBounds = c(0, 0),
                              bindingFutility = FALSE)
cat(sprintf("bound_%d %.10f\n", 1:3, d$criticalValues), sep = "")
for (kind in c("design", "null")) {
  s <- getSimulationSurvival(d, lambda2 = 0.10, lambda1 = if (kind == "design") 0.065 else 0.10,
                             plannedEvents = c(48, 84, 120), accrualTime = c(0, 20),
                             accrualIntensity = 10, maxNumberOfSubjects = 200,
                             directionUpper = FALSE, maxNumberOfIterations = n, seed = 20261201)
  cat(sprintf("%s_eff_%d %.10f\n", kind, 1:3, s$rejectPerStage[, 1]), sep = "")
  cat(sprintf("%s_fut_%d %.10f\n", kind, 1:2, s$futilityPerStage[, 1]), sep = "")
  cat(sprintf("%s_power %.10f\n", kind, s$overallReject))
  cat(sprintf("%s_events %.10f\n", kind, s$expectedNumberOfEvents))
  cat(sprintf("%s_patients %.10f\n", kind, s$expectedNumberOfSubjects))
}
