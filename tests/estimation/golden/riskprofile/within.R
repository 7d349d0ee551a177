# Golden values for the tests inside a group (a level of a breakdown against the rest of the same
# sector), from R's survey package, on the risk-profile golden data and its raked design.
#
# Run from the repository root (after riskprofile.R):
#   Rscript tests/estimation/golden/riskprofile/within.R
# Writes tests/estimation/golden/riskprofile/within.csv: per sector k, outcome y, breakdown b
# (sex, age) and level j: the mean of y in (k, j), in the rest of sector k, their difference and
# its SE. The two means: svyby(~y, ~(b == j), subset(design, sector == k & !is.na(y) & !is.na(b)),
# svymean). The difference and its SE: the coefficient of (b == j) in svyglm(y ~ (b == j)) on the
# same subset (identical to the difference of the two domain means, and its linearised SE; survey
# 4.1's svyby(covmat = TRUE) fails on subsets of calibrated designs).
suppressMessages(library(survey))
dir <- "tests/estimation/golden/riskprofile"
num <- function(x) sprintf("%.17g", as.numeric(x))
d <- read.csv(file.path(dir, "data.csv"))
d$sexf <- factor(d$sex)
d$sectorf <- factor(d$sector)
des0 <- svydesign(ids = ~1, weights = ~w0, data = d)
tot0 <- colSums(model.matrix(~ sexf + sectorf, d) * d$w0)
pop <- tot0 * c(1, 1.06, 0.9, 1.12)
pop[1] <- tot0[1]
des <- calibrate(des0, ~ sexf + sectorf, population = pop, calfun = "raking", epsilon = 1e-12, maxit = 200)
rows <- list()
for (k in 1:3) for (y in c("y1", "y2")) for (b in c("sex", "age")) {
  levels <- sort(unique(d[[b]][!is.na(d[[b]]) & d$sector == k]))
  for (j in levels) {
    inl <- !is.na(des$variables[[b]]) & des$variables[[b]] == j
    des$variables$inlevel <- factor(ifelse(inl, "in", "rest"), levels = c("rest", "in"))
    dd <- subset(des, sector == k & !is.na(des$variables[[y]]) & !is.na(des$variables[[b]]))
    # rows outside the subset keep their place with weight 0 (calibrated design); their value of y
    # does not count, but svyby refuses NA anywhere, so they get 0
    dd$variables$yy <- ifelse(is.na(dd$variables[[y]]), 0, dd$variables[[y]])
    m <- svyby(~yy, ~inlevel, dd, svymean)
    g <- svyglm(yy ~ inlevel, design = dd)
    ct <- list(coef = coef(g)[["inlevelin"]], se = SE(g)[["inlevelin"]])
    stopifnot(abs(ct$coef - (coef(m)[["in"]] - coef(m)[["rest"]])) < 1e-12)
    rows[[length(rows) + 1]] <- data.frame(
      sector = k, outcome = y, by = b, level = j,
      estimate = num(coef(m)[["in"]]), estimate_rest = num(coef(m)[["rest"]]),
      diff = num(ct$coef), diff_se = num(ct$se))
  }
}
write.csv(do.call(rbind, rows), file.path(dir, "within.csv"), row.names = FALSE, quote = FALSE)
