# Golden values for pipeline.estimation.riskprofile, from R's survey package (svyglm).
#
# Run from the repository root:   Rscript tests/estimation/golden/riskprofile/riskprofile.R
# Reads  tests/estimation/golden/riskprofile/data.csv   (made by make_data.py)
# Writes tests/estimation/golden/riskprofile/weights.csv (calibrated weights, calfun = "raking")
#        tests/estimation/golden/riskprofile/golden.csv  (one row per domain x outcome x exposure)
#
# Design: base weights w0, raked to population totals of sex and sector (calibrate, raking).
# Model (per domain = everyone or subset(sector == k)):
#   svyglm(y ~ e + factor(age) + factor(sex), design, family = quasipoisson())  (IRLS to epsilon 1e-15)
# PR = exp(coef e), CI = confint(model) (Wald, normal: ddf = Inf), SE = SE(model).
# PAF = 1 - sum(w mu0) / sum(w y) over the rows the model used, mu0 = predict(..., e = 0).
# SE of the PAF: svyrecvar of its influence function, built from the coefficients' influence
# functions the way survey's svy.varcoef builds them (estfun %*% naive.cov, the unscaled glm covariance; svyglm's own
# influence = TRUE fails in survey 4.1); checked first: svyrecvar of them reproduces vcov(model).
suppressMessages(library(survey))
dir <- "tests/estimation/golden/riskprofile"
num <- function(x) sprintf("%.17g", as.numeric(x))
d <- read.csv(file.path(dir, "data.csv"))
d$sexf <- factor(d$sex)
d$agef <- factor(d$age)
d$sectorf <- factor(d$sector)
des0 <- svydesign(ids = ~1, weights = ~w0, data = d)
tot0 <- colSums(model.matrix(~ sexf + sectorf, d) * d$w0)
pop <- tot0 * c(1, 1.06, 0.9, 1.12)   # (Intercept), sexf2, sectorf2, sectorf3
pop[1] <- tot0[1]
des <- calibrate(des0, ~ sexf + sectorf, population = pop, calfun = "raking", epsilon = 1e-12, maxit = 200)
write.csv(data.frame(id = d$id, weight = num(weights(des))), file.path(dir, "weights.csv"),
          row.names = FALSE, quote = FALSE)

rows <- list()
for (dom in c(0, 1, 2, 3)) {
  dd <- if (dom == 0) des else subset(des, sector == dom)
  for (y in c("y1", "y2")) for (e in c("e1", "e2")) {
    f <- as.formula(paste(y, "~", e, "+ agef + sexf"))
    m <- svyglm(f, design = dd, family = quasipoisson(), control = glm.control(epsilon = 1e-15, maxit = 100))
    ci <- confint(m)
    used <- as.integer(rownames(model.frame(m)))
    # check: the model's influence functions give its covariance
    stopifnot(nrow(dd$variables) == nrow(d))   # a subset of a calibrated design keeps every row
    infl <- (model.matrix(m) * resid(m, "working") * m$weights) %*% m$naive.cov
    full_infl <- matrix(0, nrow(d), ncol(infl))
    full_infl[used, ] <- infl
    V <- svyrecvar(full_infl, dd$cluster, dd$strata, dd$fpc, postStrata = dd$postStrata)
    if (max(abs(V - vcov(m))) > 1e-8 * max(abs(vcov(m)))) { print(V); print(vcov(m)); print(summary(m)$dispersion); stop("V") }
    # PAF from the model
    wts <- weights(dd)
    nd <- d[used, ]
    nd[[e]] <- 0
    mu0 <- as.numeric(predict(m, newdata = nd, type = "response", se.fit = FALSE))
    yy <- d[used, y]
    ww <- wts[used]
    t1 <- sum(ww * yy); t0 <- sum(ww * mu0)
    paf <- 1 - t0 / t1
    X0 <- model.matrix(m)
    X0[, e] <- 0
    Dv <- colSums(X0 * (ww * mu0))
    z <- rep(0, nrow(d))
    z[used] <- -(ww * mu0 - (t0 / t1) * ww * yy) / t1
    z <- z - as.numeric(full_infl %*% Dv) / t1
    vpaf <- svyrecvar(matrix(z, ncol = 1), dd$cluster, dd$strata, dd$fpc, postStrata = dd$postStrata)
    rows[[length(rows) + 1]] <- data.frame(
      domain = dom, outcome = y, exposure = e, n = sum(ww > 0), n_exposed = sum(d[used, e] == 1 & ww > 0),
      coef = num(coef(m)[e]), se = num(SE(m)[e]), pr = num(exp(coef(m)[e])),
      pr_low = num(exp(ci[e, 1])), pr_high = num(exp(ci[e, 2])),
      paf = num(paf), paf_se = num(sqrt(vpaf[1, 1])))
  }
}
write.csv(do.call(rbind, rows), file.path(dir, "golden.csv"), row.names = FALSE, quote = FALSE)
cat("R", R.version$major, R.version$minor, "survey", as.character(packageVersion("survey")), "\n")
