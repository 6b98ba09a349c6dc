# Reference values for itpsim's probit fit (include/itpsim/probit.h),
# computed with R's glm(cbind(r, m - r) ~ x, family = binomial(link =
# "probit")) on power curves drawn at random, x = sqrt(sample size) as the
# sample size search fits them.
#
# Usage: Rscript probit_reference.R DIR
# Writes DIR/cases.txt ("fit ID K x_1 r_1 m_1 ... x_K r_K m_K", read by
# build/tools/probit_driver) and DIR/expected.txt ("ID quantity value"):
# the coefficients, their standard errors and covariance, the deviance, the
# size at 80% power and the ends of its interval, found by uniroot where
# predict()'s 95% band (on the link scale) crosses 0.8.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript probit_reference.R DIR")
dir <- args[1]
cases <- file(file.path(dir, "cases.txt"), "w")
expected <- file(file.path(dir, "expected.txt"), "w")
put <- function(id, what, v) writeLines(paste(id, what, sprintf("%.17g", v)), expected)
set.seed(20240611)
z <- qnorm(0.975)
target <- 0.8
ctl <- glm.control(epsilon = 1e-12, maxit = 100)
for (id in 1:12) {
  k <- sample(4:9, 1)
  size <- sort(sample(seq(10, 600, by = 2), k))
  a <- runif(1, -2.8, -1.2); b <- runif(1, 0.08, 0.3)
  m <- rep(sample(c(200, 400, 1000), 1), k)
  r <- rbinom(k, m, pnorm(a + b * sqrt(size)))
  x <- sqrt(size)
  writeLines(paste("fit", id, k, paste(sprintf("%.17g %d %d", x, r, m), collapse = " ")), cases)
  fit <- glm(cbind(r, m - r) ~ x, family = binomial(link = "probit"), control = ctl)
  v <- vcov(fit); cf <- coef(fit)
  put(id, "a", cf[1]); put(id, "b", cf[2])
  put(id, "se_a", sqrt(v[1, 1])); put(id, "se_b", sqrt(v[2, 2])); put(id, "cov_ab", v[1, 2])
  put(id, "deviance", deviance(fit))
  eta <- function(xx, s) {
    p <- predict(fit, data.frame(x = xx), type = "link", se.fit = TRUE)
    p$fit + s * z * p$se.fit - qnorm(target)
  }
  xs <- (qnorm(target) - cf[1]) / cf[2]
  put(id, "x_target", xs)
  # the band's ends: the upper band reaches the target first, the lower last
  lo <- uniroot(function(xx) eta(xx, 1), c(0, xs), tol = 1e-13)$root
  hi <- uniroot(function(xx) eta(xx, -1), c(xs, 4 * xs), tol = 1e-13)$root
  put(id, "x_low", lo); put(id, "x_high", hi)
}
close(cases); close(expected)
