# rpact's simulator on the design of tests/bench/hazard_peer.cfg:
#   Rscript tests/bench/peer_rpact.R ITERATIONS SEED
# prints "seconds power" (elapsed time of getSimulationSurvival alone,
# single-threaded, and the share of iterations that reject).
# Wassmer and Pahlke, rpact: Confirmatory Adaptive Clinical Trial Design
# and Analysis (R package); the design: one stage, one-sided alpha 0.025,
# 60 events, lambda 0.05 (treatment) and 0.10 (control) per month, 100
# subjects accrued uniformly over 12 months, dropout 1 - exp(-0.05) by
# 12 months in each group (the exponential 0.05 per year of the scenario).
args <- commandArgs(trailingOnly = TRUE)
iter <- as.integer(args[1])
seed <- as.integer(args[2])
suppressPackageStartupMessages(library(rpact))
design <- getDesignGroupSequential(kMax = 1, alpha = 0.025, sided = 1)
run <- function(n) getSimulationSurvival(design,
  lambda1 = 0.05, lambda2 = 0.10, directionUpper = FALSE,
  accrualTime = c(0, 12), maxNumberOfSubjects = 100, plannedEvents = 60,
  dropoutRate1 = 1 - exp(-0.05), dropoutRate2 = 1 - exp(-0.05), dropoutTime = 12,
  maxNumberOfIterations = n, seed = seed)
invisible(run(100))   # load and warm up
t <- system.time(sim <- run(iter))[["elapsed"]]
cat(sprintf("%.4f %.5f\n", t, sim$overallReject))
