# Reference values for itpsim's group-sequential kernel (src/stats/gsdesign.c),
# computed with rpact (Wassmer and Brannath, Group Sequential and
# Confirmatory Adaptive Designs in Clinical Trials, Springer 2016).
#
# Usage: Rscript gs_reference.R DIR
# Writes DIR/cases.txt (inputs, read by build/tools/gs_driver) and
# DIR/expected.txt (one "id quantity value" per line):
#   bounds ID KIND PARAM ALPHA K t_1..t_K u_1..u_K
#     one-sided efficacy bounds of getDesignGroupSequential(sided = 1,
#     typeOfDesign = KIND, gammaA = PARAM, informationRates = t); u the
#     cumulative alpha of asUser as fractions of alpha (0 for the others);
#     expected "ID b<i> criticalValue".
#   probs ID K THETA t_1..t_K a_1..a_K b_1..b_K
#     stage-wise rejection and futility probabilities of a design with
#     efficacy bounds b (rpact's criticalValues) and futility bounds a
#     (-Inf: none; a_K is always -Inf) under drift THETA, the expected Z at
#     t = 1 (rpact's theta times sqrt(nMax)); expected "ID eff<i> value"
#     (getPowerAndAverageSampleNumber's rejectPerStage) and "ID fut<i>
#     value" (futilityPerStage, i < K).
# rpact's numerical tolerance is set to its smallest, 1e-10 (the default
# 1e-8 moves bounds by up to about 2e-9).

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript gs_reference.R DIR")
dir <- args[1]
suppressPackageStartupMessages(library(rpact))
cases <- file(file.path(dir, "cases.txt"), "w")
expected <- file(file.path(dir, "expected.txt"), "w")
num <- function(v) ifelse(is.infinite(v), ifelse(v > 0, "Inf", "-Inf"),
                          sprintf("%.17g", v))
put <- function(id, what, v) writeLines(paste(id, what, num(v)), expected)
tol <- 1e-10

# Spending functions: rpact's name, its gammaA (NA: none), and for asUser
# the cumulative fractions of alpha by number of stages.
spend <- list(
  list(kind = "asOF", param = NA), list(kind = "asP", param = NA),
  list(kind = "asHSD", param = -4), list(kind = "asHSD", param = -2),
  list(kind = "asHSD", param = 1),
  list(kind = "asKD", param = 1), list(kind = "asKD", param = 2),
  list(kind = "asKD", param = 3),
  list(kind = "asUser", param = NA))
user_frac <- list(`2` = c(0.3, 1), `3` = c(0.1, 0.4, 1),
                  `5` = c(0.02, 0.1, 0.3, 0.6, 1))
# Information rates: equally spaced and unequal, k = 2, 3, 5.
rates <- list(c(0.5, 1), c(0.35, 1), (1:3) / 3, c(0.3, 0.7, 1), (1:5) / 5,
              c(0.15, 0.3, 0.55, 0.8, 1))
# Futility bounds (z scale, non-binding) by number of stages.
futility <- list(`2` = c(0.2), `3` = c(0, 0.5), `5` = c(-0.5, 0, 0.3, 0.6))

design <- function(sp, alpha, t, fut = NULL) {
  k <- length(t)
  a <- list(kMax = k, alpha = alpha, sided = 1, typeOfDesign = sp$kind,
            informationRates = t, tolerance = tol)
  if (!is.na(sp$param)) a$gammaA <- sp$param
  if (sp$kind == "asUser") a$userAlphaSpending <- user_frac[[as.character(k)]] * alpha
  if (!is.null(fut)) {
    a$futilityBounds <- fut
    a$bindingFutility <- FALSE
    a$typeBetaSpending <- "none"
  }
  do.call(getDesignGroupSequential, a)
}

# Probabilities of the design d under the drift theta (canonical: Z_i ~
# N(theta sqrt(t_i), 1)); rpact's theta is the effect per unit of nMax.
probs <- function(id, d, theta, fut) {
  k <- d$kMax
  a <- c(if (is.null(fut)) rep(-Inf, k - 1) else fut, -Inf)
  writeLines(paste("probs", id, k, num(theta), paste(num(d$informationRates), collapse = " "),
                   paste(num(a), collapse = " "),
                   paste(num(d$criticalValues), collapse = " ")), cases)
  nmax <- 100
  p <- getPowerAndAverageSampleNumber(d, theta = theta / sqrt(nmax), nMax = nmax)
  for (i in 1:k) put(id, paste0("eff", i), p$rejectPerStage[i, 1])
  if (!is.null(fut))
    for (i in 1:(k - 1)) put(id, paste0("fut", i), p$futilityPerStage[i, 1])
}

n <- 0
for (alpha in c(0.025, 0.05)) for (sp in spend) for (t in rates) {
  n <- n + 1
  k <- length(t)
  id <- sprintf("c%03d_%s%s_k%d_a%g", n, sp$kind, if (is.na(sp$param)) "" else sp$param,
                k, alpha)
  u <- if (sp$kind == "asUser") user_frac[[as.character(k)]] else rep(0, k)
  writeLines(paste("bounds", id, sp$kind, if (is.na(sp$param)) 0 else sp$param, num(alpha),
                   k, paste(num(t), collapse = " "), paste(num(u), collapse = " ")), cases)
  d <- design(sp, alpha, t)
  for (i in 1:k) put(id, paste0("b", i), d$criticalValues[i])
  # The same design's stage-wise probabilities under the null and under
  # an alternative of about 80% power at alpha = 0.025, and with
  # non-binding futility bounds: their efficacy bounds are the same (checked
  # here), the probabilities those of the trial that stops at either.
  if (alpha == 0.025) {
    fut <- futility[[as.character(k)]]
    df <- design(sp, alpha, t, fut)
    if (max(abs(df$criticalValues - d$criticalValues)) > 1e-12)
      stop(id, ": non-binding futility changed rpact's efficacy bounds")
    for (theta in c(0, 2.8)) {
      probs(paste0(id, "_theta", theta), d, theta, NULL)
      probs(paste0(id, "_theta", theta, "_fut"), df, theta, fut)
    }
  }
}
close(cases)
close(expected)
