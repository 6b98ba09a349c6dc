# Reference values for itpsim's survival kernels, computed with R survival.
#
# Usage: Rscript surv_reference.R DIR
# Writes, for every dataset NAME, DIR/NAME.csv (columns time,event,group,
# stratum; stratum 0-based) and DIR/NAME.expected (lines "key value", value
# printed with 17 significant digits, NA when R gives NA). The keys are the
# ones printed by surv_driver (build/tools/surv_driver); the lines "km_tK"
# are the times at which the Kaplan-Meier estimate is asked for.
#
# R is run on the data read back from the CSV, so both sides see the same
# doubles. itpsim compares times exactly; R merges times closer than ~1e-8
# (timefix), so the script checks that no such near-ties exist.
suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript surv_reference.R DIR")
dir <- args[1]

num <- function(x) {
    if (length(x) == 0 || is.na(x)) return("NA")
    if (is.infinite(x)) return(if (x > 0) "Inf" else "-Inf")
    sprintf("%.17g", x)
}

# Datasets. Times on a coarse grid give ties; censoring is administrative
# (end of follow-up) plus random dropout.
make_data <- function(n, nstrata, hr, rate, cens_rate, followup, grid) {
    group <- rep(0:1, length.out = n)
    stratum <- sample(0:(nstrata - 1), n, replace = TRUE)
    srate <- rate * (1 + stratum)                  # baseline differs by stratum
    t_ev <- rexp(n, srate * ifelse(group == 1, hr, 1))
    t_ce <- pmin(rexp(n, cens_rate), followup)
    time <- pmin(t_ev, t_ce)
    event <- as.integer(t_ev <= t_ce)
    time <- if (grid > 0) pmax(grid, ceiling(time / grid) * grid) else round(time, 4)
    data.frame(time = time, event = event, group = group, stratum = stratum)
}

set.seed(20240611)
sets <- list(
    ties      = make_data(200, 1, 0.7, 0.05, 0.01, 36, 3),     # 3-month grid
    strata3   = make_data(300, 3, 0.6, 0.03, 0.02, 48, 0.5),
    heavycens = make_data(150, 2, 0.8, 0.01, 0.08, 24, 0),   # ~85% censored
    nocens    = make_data(40, 1, 0.5, 0.10, 1e-9, 1e6, 1),   # no censoring
    small     = data.frame(time = c(2, 3, 3, 5, 8, 8), event = c(1, 1, 1, 1, 1, 0),
                           group = c(0, 1, 0, 0, 1, 1), stratum = 0),
    large     = make_data(2000, 2, 0.75, 0.04, 0.02, 30, 0)
)

for (name in names(sets)) {
    csv <- file.path(dir, paste0(name, ".csv"))
    d <- sets[[name]]
    writeLines(c("time,event,group,stratum",
                 sprintf("%.17g,%d,%d,%d", d$time, d$event, d$group, d$stratum)), csv)
    d <- read.csv(csv)
    out <- character(0)
    put <- function(key, x) out <<- c(out, paste(key, num(x)))
    nstrata <- length(unique(d$stratum))
    # no two distinct times close enough for R's timefix to merge them
    stopifnot(all(aeqSurv(Surv(d$time, d$event))[, 1] == d$time))

    # log-rank, unstratified and stratified
    for (s in c("u", "s")) {
        if (s == "s" && nstrata < 2) next
        f <- if (s == "u") Surv(time, event) ~ group
             else Surv(time, event) ~ group + strata(stratum)
        sd <- survdiff(f, data = d)   # its timefix argument fails in 3.5.3
        o <- sum(as.matrix(sd$obs)[2, ])
        e <- sum(as.matrix(sd$exp)[2, ])   # a group x stratum matrix when stratified
        v <- sd$var[2, 2]
        put(paste0("lr_", s, "_o"), o)
        put(paste0("lr_", s, "_e"), e)
        put(paste0("lr_", s, "_v"), v)
        put(paste0("lr_", s, "_chisq"), sd$chisq)
        put(paste0("lr_", s, "_p1"), pnorm((o - e) / sqrt(v)))
        put(paste0("lr_", s, "_p2"), pchisq(sd$chisq, 1, lower.tail = FALSE))
    }

    # Cox, both tie methods, unstratified and stratified
    for (ties in c("efron", "breslow")) for (s in c("u", "s")) {
        if (s == "s" && nstrata < 2) next
        f <- if (s == "u") Surv(time, event) ~ group
             else Surv(time, event) ~ group + strata(stratum)
        fit <- coxph(f, data = d, ties = ties,
                     control = coxph.control(timefix = FALSE, iter.max = 30))
        k <- paste0("cox_", ties, "_", s, "_")
        b <- unname(coef(fit)); se <- sqrt(fit$var[1, 1])
        ci <- exp(confint(fit, level = 0.95))
        put(paste0(k, "beta"), b)
        put(paste0(k, "se"), se)
        put(paste0(k, "hr_lower"), ci[1, 1])
        put(paste0(k, "hr_upper"), ci[1, 2])
        put(paste0(k, "z"), b / se)
        put(paste0(k, "p1"), pnorm(b / se))
        put(paste0(k, "p2"), pchisq((b / se)^2, 1, lower.tail = FALSE))
        put(paste0(k, "loglik"), fit$loglik[2])
        put(paste0(k, "loglik0"), fit$loglik[1])
        put(paste0(k, "iter"), fit$iter)
    }

    # Kaplan-Meier at an interior time, before the first time and at the
    # largest time, for each group and for everyone
    times <- c(unname(quantile(d$time, 0.5, type = 1)), min(d$time) / 2, max(d$time))
    for (k in seq_along(times)) put(paste0("km_t", k), times[k])
    for (sel in c("all", "g0", "g1")) {
        dd <- if (sel == "all") d else d[d$group == as.integer(substr(sel, 2, 2)), ]
        fit <- survfit(Surv(time, event) ~ 1, data = dd, conf.type = "log-log",
                       conf.int = 0.95, timefix = FALSE)
        for (k in seq_along(times)) {
            # beyond the last follow-up time R selects no row (or stops)
            sm <- tryCatch(summary(fit, times = times[k]),
                           error = function(e) list())
            key <- paste0("km_", sel, "_t", k, "_")
            put(paste0(key, "surv"), sm$surv)
            put(paste0(key, "se"), sm$std.err)
            put(paste0(key, "lower"), sm$lower)
            put(paste0(key, "upper"), sm$upper)
        }
        q <- quantile(fit, 0.5)
        put(paste0("km_", sel, "_median"), unname(q$quantile))
        put(paste0("km_", sel, "_median_lower"), unname(q$lower))
        put(paste0("km_", sel, "_median_upper"), unname(q$upper))
    }
    writeLines(out, file.path(dir, paste0(name, ".expected")))
}
