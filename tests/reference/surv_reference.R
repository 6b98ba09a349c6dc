# Reference values for itpsim's survival kernels, computed with R survival.
#
# Usage: Rscript surv_reference.R DIR
# Writes, for every dataset NAME, DIR/NAME.csv (columns time,event,group,
# stratum; stratum 0-based) and DIR/NAME.expected (lines "key value", value
# printed with 17 significant digits, NA when R gives NA). The keys are the
# ones printed by surv_driver (build/tools/surv_driver); the lines "km_tK"
# are the times at which the Kaplan-Meier estimate is asked for, the lines
# "rmst_tauK" the horizons of the restricted mean survival time.
#
# The restricted mean per group is R's summary(survfit(...), rmean = tau)
# (survmean(): the area under the curve, the last value carried flat when
# tau is beyond the group's last time), checked against this script's own
# sum of the Greenwood-type formula that survRM2's rmst2 uses (Uno et al.,
# J Clin Oncol 2014; survRM2 is not packaged for Debian). The
# Fleming-Harrington G(rho, gamma) statistics are survdiff(rho = rho) for
# gamma = 0; for gamma > 0 this script sums w (O - E) and w^2 V itself over
# the event times, w = S(t-)^rho (1 - S(t-))^gamma with S the stratum's
# pooled survfit, after checking that the same sums reproduce survdiff for
# gamma = 0.
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

# The area under the Kaplan-Meier curve of dd on [0, tau] and its variance,
# sum over event times t_j <= tau of A_j^2 d_j / (n_j (n_j - d_j)), A_j the
# area from t_j to tau, a term with n_j = d_j counting 0.
own_rmst <- function(dd, tau) {
    fit <- survfit(Surv(time, event) ~ 1, data = dd, timefix = FALSE)
    ev <- fit$n.event > 0 & fit$time <= tau
    tj <- fit$time[ev]; nj <- fit$n.risk[ev]; dj <- fit$n.event[ev]; sj <- fit$surv[ev]
    edges <- c(0, tj, tau)
    heights <- c(1, sj)
    pieces <- heights * diff(edges)
    area <- sum(pieces)
    after <- rev(cumsum(rev(pieces)))[-1]          # area from t_j to tau
    h <- ifelse(nj > dj, dj / (nj * (nj - dj)), 0)
    c(area = area, var = sum(after^2 * h))
}

# G(rho, gamma) sums over the strata: w (d1 - d N1 / N) and w^2 times the
# hypergeometric variance, w from the stratum's pooled curve just before t.
own_fh <- function(d, rho, gamma, strat) {
    o <- 0; e <- 0; v <- 0
    for (s in if (strat) sort(unique(d$stratum)) else 0) {
        ds <- if (strat) d[d$stratum == s, ] else d
        fit <- survfit(Surv(time, event) ~ 1, data = ds, timefix = FALSE)
        before <- c(1, head(fit$surv, -1))          # S(t-) on survfit's rows
        for (k in which(fit$n.event > 0)) {
            t <- fit$time[k]
            n <- sum(ds$time >= t); n1 <- sum(ds$time >= t & ds$group == 1)
            dk <- sum(ds$time == t & ds$event == 1)
            d1 <- sum(ds$time == t & ds$event == 1 & ds$group == 1)
            w <- before[k]^rho * (1 - before[k])^gamma
            o <- o + w * d1
            e <- e + w * dk * n1 / n
            if (n > 1) v <- v + w^2 * dk * (n - dk) * n1 * (n - n1) / (n^2 * (n - 1))
        }
    }
    c(o = o, e = e, v = v)
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
    # Restricted mean survival time: a horizon inside the data, the largest
    # at which both curves are identified (the smaller of the groups' last
    # times), and one past every time (R carries the curves flat; itpsim
    # flags it).
    last <- c(max(d$time[d$group == 0]), max(d$time[d$group == 1]))
    taus <- c(unname(quantile(d$time, 0.4, type = 1)), min(last), max(d$time) + 1)
    zq <- qnorm(0.975)
    for (k in seq_along(taus)) {
        tau <- taus[k]
        put(paste0("rmst_tau", k), tau)
        key <- paste0("rmst_t", k, "_")
        m <- numeric(2); va <- numeric(2)
        for (g in 0:1) {
            dd <- d[d$group == g, ]
            tab <- summary(survfit(Surv(time, event) ~ 1, data = dd, timefix = FALSE),
                           rmean = tau)$table
            m[g + 1] <- unname(tab["rmean"])
            va[g + 1] <- unname(tab["se(rmean)"])^2
            mine <- own_rmst(dd, tau)
            stopifnot(abs(mine[["area"]] - m[g + 1]) <= 1e-12 * m[g + 1],
                      abs(mine[["var"]] - va[g + 1]) <= 1e-12 * max(va[g + 1], 1e-300))
            put(paste0(key, "g", g), m[g + 1])
            put(paste0(key, "g", g, "_se"), sqrt(va[g + 1]))
        }
        diff <- m[2] - m[1]; se <- sqrt(sum(va))
        put(paste0(key, "diff"), diff)
        put(paste0(key, "se_diff"), se)
        put(paste0(key, "lower"), diff - zq * se)
        put(paste0(key, "upper"), diff + zq * se)
        put(paste0(key, "z"), diff / se)
        put(paste0(key, "p1"), pnorm(diff / se, lower.tail = FALSE))
        put(paste0(key, "p2"), 2 * pnorm(-abs(diff / se)))
    }

    # Fleming-Harrington G(rho, gamma), unstratified and stratified
    for (s in c("u", "s")) {
        if (s == "s" && nstrata < 2) next
        f <- if (s == "u") Surv(time, event) ~ group
             else Surv(time, event) ~ group + strata(stratum)
        for (rg in list(c(0, 0), c(1, 0), c(0, 1), c(1, 1))) {
            mine <- own_fh(d, rg[1], rg[2], s == "s")
            if (rg[2] == 0) {
                sd <- survdiff(f, data = d, rho = rg[1])
                o <- sum(as.matrix(sd$obs)[2, ]); e <- sum(as.matrix(sd$exp)[2, ])
                v <- sd$var[2, 2]
                stopifnot(abs(mine - c(o, e, v)) <= 1e-10 * abs(c(o, e, v)))
            } else {
                o <- mine[["o"]]; e <- mine[["e"]]; v <- mine[["v"]]
            }
            key <- paste0("fh_", s, "_", rg[1], rg[2], "_")
            put(paste0(key, "o"), o)
            put(paste0(key, "e"), e)
            put(paste0(key, "v"), v)
            put(paste0(key, "z"), (o - e) / sqrt(v))
            put(paste0(key, "chisq"), (o - e)^2 / v)
            put(paste0(key, "p1"), pnorm((o - e) / sqrt(v)))
            put(paste0(key, "p2"), pchisq((o - e)^2 / v, 1, lower.tail = FALSE))
        }
    }
    writeLines(out, file.path(dir, paste0(name, ".expected")))
}
