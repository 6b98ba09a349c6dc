# Reference values for itpsim's binary-endpoint tests and multiplicity
# adjustments, computed with R's stats package.
#
# Usage: Rscript binary_reference.R DIR
# Writes DIR/cases.txt (inputs, read by build/tools/binary_driver) and
# DIR/expected.txt (one "id quantity value" per line). When R's answer is
# undefined (NaN, or R refuses the input), a flag line "id <test>_notest 1",
# "_noest", "_nodata" or "_cidegen" is written instead, and itpsim must set
# the matching flag. See tests/reference/README-binary.md.
#
# Tables: rows experimental, control; columns responders, non-responders:
#   x[1,1,k] = x1, x[1,2,k] = n1 - x1, x[2,1,k] = x0, x[2,2,k] = n0 - x0.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript binary_reference.R DIR")
dir <- args[1]
cases <- file(file.path(dir, "cases.txt"), "w")
expected <- file(file.path(dir, "expected.txt"), "w")
num <- function(v) ifelse(is.infinite(v), ifelse(v > 0, "Inf", "-Inf"),
                          sprintf("%.17g", v))
put <- function(id, what, v) writeLines(paste(id, what, num(v)), expected)
flag <- function(id, what) writeLines(paste(id, what, 1), expected)
conf <- 0.95

# Fisher's conditional MLE and exact CI, exactly as stats::fisher.test
# (R 4.2) but with uniroot's tolerance tightened from eps^0.25 to 1e-15, so
# the reference is good to ~1e-12 rather than ~1e-4. Checked against
# fisher.test itself below.
fisher_tight <- function(x11, m, n, k, conf.level) {
  lo <- max(0L, k - n); hi <- min(k, m)
  support <- lo:hi
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dnhyper <- function(ncp) {
    d <- logdc + log(ncp) * support
    d <- exp(d - max(d)); d / sum(d)
  }
  mnhyper <- function(ncp) {
    if (ncp == 0) return(lo)
    if (ncp == Inf) return(hi)
    sum(support * dnhyper(ncp))
  }
  pnhyper <- function(q, ncp, upper.tail = FALSE) {
    if (ncp == 1)
      return(if (upper.tail) phyper(x11 - 1, m, n, k, lower.tail = FALSE)
             else phyper(x11, m, n, k))
    if (ncp == 0) return(as.numeric(if (upper.tail) q <= lo else q >= lo))
    if (ncp == Inf) return(as.numeric(if (upper.tail) q <= hi else q >= hi))
    sum(dnhyper(ncp)[if (upper.tail) support >= q else support <= q])
  }
  ur <- function(f, int) uniroot(f, int, tol = 1e-15, maxiter = 10000)$root
  mle <- function(x) {
    if (x == lo) return(0)
    if (x == hi) return(Inf)
    mu <- mnhyper(1)
    if (mu > x) ur(function(t) mnhyper(t) - x, c(0, 1))
    else if (mu < x) 1 / ur(function(t) mnhyper(1 / t) - x,
                            c(.Machine$double.eps, 1))
    else 1
  }
  ncp.U <- function(x, alpha) {
    if (x == hi) return(Inf)
    p <- pnhyper(x, 1)
    if (p < alpha) ur(function(t) pnhyper(x, t) - alpha, c(0, 1))
    else if (p > alpha) 1 / ur(function(t) pnhyper(x, 1 / t) - alpha,
                               c(.Machine$double.eps, 1))
    else 1
  }
  ncp.L <- function(x, alpha) {
    if (x == lo) return(0)
    p <- pnhyper(x, 1, upper.tail = TRUE)
    if (p > alpha) ur(function(t) pnhyper(x, t, upper.tail = TRUE) - alpha,
                      c(0, 1))
    else if (p < alpha) 1 / ur(function(t) pnhyper(x, 1 / t, upper.tail = TRUE)
                               - alpha, c(.Machine$double.eps, 1))
    else 1
  }
  alpha <- (1 - conf.level) / 2
  c(mle(x11), ncp.L(x11, alpha), ncp.U(x11, alpha))
}

# Agreement with fisher.test's own values: its uniroot works in psi on (0, 1)
# or in 1/psi on (0, 1) with absolute tolerance eps^0.25 ~ 1.2e-4, so it is
# accurate to about that on one of the two scales.
close_to <- function(a, b) {
  if (a == b) return(TRUE)
  if (!is.finite(a) || !is.finite(b)) return(FALSE)
  abs(a - b) <= 1e-3 || abs(1 / a - 1 / b) <= 1e-3
}

do_table <- function(id, x0, n0, x1, n1) {
  K <- length(x0)
  writeLines(paste("table", id, K,
                   paste(x0, n0, x1, n1, sep = " ", collapse = " ")), cases)
  # CMH: R refuses strata with fewer than 2 subjects and arrays with fewer
  # than 2 strata; itpsim skips the former, and a stratum with both subjects
  # in the experimental arm (one responder, one not) adds exactly nothing to
  # any CMH sum, so it pads a single stratum.
  keep <- (n0 + n1) >= 2
  if (!any(keep)) {
    flag(id, "cmh_nodata")
  } else {
    a <- array(0, c(2, 2, sum(keep)))
    a[1, 1, ] <- x1[keep]; a[1, 2, ] <- (n1 - x1)[keep]
    a[2, 1, ] <- x0[keep]; a[2, 2, ] <- (n0 - x0)[keep]
    if (dim(a)[3] == 1) a <- array(c(a, 1, 0, 1, 0), c(2, 2, 2))
    t2 <- suppressWarnings(mantelhaen.test(a, correct = FALSE))
    tg <- suppressWarnings(mantelhaen.test(a, correct = FALSE,
                                           alternative = "greater"))
    if (is.nan(t2$statistic)) {
      flag(id, "cmh_notest")
    } else {
      put(id, "cmh_stat", t2$statistic)
      put(id, "cmh_p2", t2$p.value)
      put(id, "cmh_pg", tg$p.value)
    }
    est <- unname(t2$estimate)
    if (is.nan(est)) {
      flag(id, "cmh_noest")
    } else if (!all(is.finite(t2$conf.int))) {
      flag(id, "cmh_cidegen")
      put(id, "cmh_or", est)
    } else {
      put(id, "cmh_or", est)
      put(id, "cmh_lo", t2$conf.int[1])
      put(id, "cmh_hi", t2$conf.int[2])
    }
  }

  # Pooled table.
  X0 <- sum(x0); N0 <- sum(n0); X1 <- sum(x1); N1 <- sum(n1)
  tab <- matrix(c(X1, X0, N1 - X1, N0 - X0), 2, 2)
  if (N0 + N1 == 0) {
    flag(id, "chisq_nodata"); flag(id, "fisher_nodata"); flag(id, "rd_nodata")
    return(invisible())
  }
  cs <- suppressWarnings(chisq.test(tab, correct = FALSE))
  if (is.nan(cs$statistic)) {
    flag(id, "chisq_notest")
  } else {
    put(id, "chisq_stat", cs$statistic)
    put(id, "chisq_p2", cs$p.value)
  }
  if (N0 > 0 && N1 > 0) {
    pg <- suppressWarnings(prop.test(c(X1, X0), c(N1, N0), correct = FALSE,
                                     alternative = "greater"))
    p2 <- suppressWarnings(prop.test(c(X1, X0), c(N1, N0), correct = FALSE,
                                     conf.level = conf))
    if (!is.nan(cs$statistic)) put(id, "chisq_pg", pg$p.value)
    put(id, "rd", unname(p2$estimate[1] - p2$estimate[2]))
    put(id, "rd_lo", p2$conf.int[1])
    put(id, "rd_hi", p2$conf.int[2])
    if (p2$conf.int[1] == p2$conf.int[2]) flag(id, "rd_cidegen")
    # Newcombe's hybrid score interval from the two Wilson intervals, which
    # are prop.test's one-sample intervals without continuity correction.
    w1 <- suppressWarnings(prop.test(X1, N1, correct = FALSE,
                                     conf.level = conf))$conf.int
    w0 <- suppressWarnings(prop.test(X0, N0, correct = FALSE,
                                     conf.level = conf))$conf.int
    p1 <- X1 / N1; p0 <- X0 / N0
    put(id, "newcombe_lo", p1 - p0 - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2))
    put(id, "newcombe_hi", p1 - p0 + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2))
  } else {
    flag(id, "rd_noest")
  }

  fg <- fisher.test(tab, alternative = "greater")
  f2 <- fisher.test(tab, conf.level = conf)
  put(id, "fisher_pg", fg$p.value)
  put(id, "fisher_p2", f2$p.value)
  m <- X1 + X0; n <- N1 + N0 - m; k <- N1
  if (max(0, k - n) == min(k, m)) {
    flag(id, "fisher_noest")
  } else {
    ft <- fisher_tight(X1, m, n, k, conf)
    r <- c(unname(f2$estimate), f2$conf.int)
    for (i in 1:3)
      if (!close_to(ft[i], r[i]))
        stop(sprintf("case %s: tight Fisher value %g differs from fisher.test's %g",
                     id, ft[i], r[i]))
    put(id, "fisher_or", ft[1])
    put(id, "fisher_lo", ft[2])
    put(id, "fisher_hi", ft[3])
  }
}

do_binom <- function(id, x, n, p0) {
  writeLines(paste("binom", id, x, n, num(p0)), cases)
  t2 <- binom.test(x, n, p0, conf.level = conf)
  tg <- binom.test(x, n, p0, alternative = "greater")
  put(id, "binom_pg", tg$p.value)
  put(id, "binom_p2", t2$p.value)
  put(id, "binom_lo", t2$conf.int[1])
  put(id, "binom_hi", t2$conf.int[2])
}

do_padj <- function(id, p) {
  writeLines(paste("padj", id, length(p), paste(num(p), collapse = " ")),
             cases)
  for (method in c("bonferroni", "holm", "hochberg")) {
    a <- p.adjust(p, method)
    for (i in seq_along(p)) put(id, sprintf("%s_%d", method, i), a[i])
  }
}

set.seed(20240611)
id <- 0
nid <- function() { id <<- id + 1; sprintf("c%03d", id) }

# Known tables: Fisher's tea tasting (3,1;1,3), and degenerate ones.
do_table(nid(), 1, 4, 3, 4)
do_table(nid(), c(0, 0), c(5, 3), c(0, 0), c(4, 6))        # no responders
do_table(nid(), c(5, 3), c(5, 3), c(4, 6), c(4, 6))        # all respond
do_table(nid(), c(2, 0, 0), c(5, 0, 1), c(4, 0, 1), c(6, 1, 1))  # small strata
do_table(nid(), c(0, 3), c(4, 6), c(4, 6), c(4, 6))        # OR = Inf
do_table(nid(), c(4, 6), c(4, 6), c(0, 2), c(4, 6))        # control all
do_table(nid(), 0, 0, 3, 7)                                 # empty control
do_table(nid(), c(0, 0), c(1, 0), c(0, 1), c(0, 1))        # no stratum >= 2
# Far from balance: estimates near the ends of the support, large N.
do_table(nid(), 1, 2000, 1, 40)
do_table(nid(), 1999, 2000, 39, 40)
do_table(nid(), c(300, 12), c(3000, 20), c(290, 1), c(3000, 25))
do_table(nid(), 1, 5, 5, 6)
do_table(nid(), 4990, 5000, 4000, 5000)

# Random tables: small counts with zeros, and large counts; 1 and 4 strata.
for (K in c(1, 4)) {
  for (r in 1:8) {
    n0 <- sample(0:8, K, replace = TRUE); n1 <- sample(0:8, K, replace = TRUE)
    pr0 <- runif(1, 0, 0.6); pr1 <- runif(1, 0, 0.9)
    do_table(nid(), rbinom(K, n0, pr0), n0, rbinom(K, n1, pr1), n1)
  }
  for (r in 1:6) {
    n0 <- sample(60:400, K, replace = TRUE); n1 <- sample(60:400, K, replace = TRUE)
    pr0 <- runif(K, 0.05, 0.5); pr1 <- pmin(pr0 + runif(1, -0.05, 0.25), 0.98)
    do_table(nid(), rbinom(K, n0, pr0), n0, rbinom(K, n1, pr1), n1)
  }
}

# Exact binomial: textbook-sized and large n, both tails, x = 0 and x = n.
do_binom(nid(), 7, 20, 0.2)
do_binom(nid(), 0, 15, 0.1)
do_binom(nid(), 15, 15, 0.6)
do_binom(nid(), 3, 30, 0.3)
do_binom(nid(), 10, 20, 0.5)
do_binom(nid(), 315, 317, 0.3)     # GSL's beta quantile alone fails on these
do_binom(nid(), 7, 334, 0.3)
do_binom(nid(), 434, 458, 0.9)
do_binom(nid(), 1500, 3000, 0.45)
for (r in 1:10) {
  n <- sample(c(5:60, 200, 500), 1); p0 <- runif(1, 0.05, 0.95)
  do_binom(nid(), rbinom(1, n, min(p0 + runif(1, -0.1, 0.2), 0.99)), n, p0)
}

# p.adjust: random p-vectors (some small), m = 2..6, with a tie.
do_padj(nid(), c(0.01, 0.04, 0.03, 0.005))
do_padj(nid(), c(0.02, 0.02, 0.5))
for (r in 1:10) {
  m <- sample(2:6, 1)
  do_padj(nid(), runif(m)^3)
}

close(cases); close(expected)
