# Golden values for estimates made from a run's recorded calibration model (issue 16):
# pipeline/weighting -> pipeline/weighting/model.py -> calibration.json -> pipeline/estimation/runmodel.py
#
# Run from the repository root:
#   python tests/estimation/golden/runmodel/make_data.py
#   Rscript tests/estimation/golden/runmodel/golden.R
# Writes tests/estimation/golden/runmodel/expected_estimates.csv and expected_weights.csv.
#
# Cases
#   oe_strat_fpc_joint  svydesign(strata = sector_group x size_class, fpc = N_h) + postStratify on the
#                       joint margin (checked equal to calibrate(~stratum) here)
#   emp_raking_collapsed  calibrate(calfun = "raking") on sex + age band with bands 4 and 5 collapsed
#   emp_linear          calibrate(calfun = "linear") on the collapsed levels
#   emp_logit           calibrate(calfun = "logit", bounds = c(0.6, 1.7)) on the collapsed levels
#   emp_raking_bounded  calibrate(calfun = "raking", bounds = c(0.7, 1.3)) on the collapsed levels
#   emp_trimmed         raking, then the weights capped at 190 by the documented rule (units above the
#                       cap fixed at it, the others re-raked with calibrate() to the totals that
#                       remain, until none exceeds it), rebuilt here independently; the variance is
#                       R's own svyrecvar on the greg_calibration of calibrate() with the trimmed
#                       g = final / base (as calibrate(trim=) stores a trimmed g)
# Domains as svyby does (subset of the calibrated design). 17 significant digits.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
dir <- "tests/estimation/golden/runmodel"
num <- function(x) sprintf("%.17g", as.numeric(x))
rows <- list()
wrows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)

estimates <- function(case, des, inds, bys, totals = FALSE) {
  for (ind in inds) {
    f <- as.formula(paste0("~", ind))
    stats <- if (totals) c("proportion", "total") else "proportion"
    for (st in stats) {
      fun <- if (st == "total") svytotal else svymean
      m <- fun(f, des)
      add(case = case, indicator = ind, by = "", level = "", stat = st, estimate = num(coef(m)), se = num(SE(m)))
      for (b in bys) {
        for (lv in sort(unique(des$variables[[b]]))) {
          m <- fun(f, des[des$variables[[b]] == lv, ])
          add(case = case, indicator = ind, by = b, level = as.character(lv), stat = st,
              estimate = num(coef(m)), se = num(SE(m)))
        }
      }
    }
  }
}
wout <- function(case, des) {
  wrows[[length(wrows) + 1]] <<- data.frame(case = case, row = seq_along(weights(des)), weight = num(weights(des)))
}

# ------------------------------------------------------------------ OE: stratified + fpc + joint
oe <- read.csv(file.path(dir, "oe.csv"))
oe$stratum <- paste(oe$sector_group, oe$size_class, sep = "*")
pm <- read.csv(file.path(dir, "oe_margins.csv"))
pop <- data.frame(stratum = pm$level, Freq = pm$total)
d0 <- svydesign(ids = ~1, strata = ~stratum, fpc = ~N_h, data = oe)
ps <- postStratify(d0, ~stratum, pop)
popv <- setNames(pm$total, paste0("stratum", pm$level))
cal <- calibrate(d0, ~stratum - 1, population = popv, calfun = "raking", epsilon = 1e-13)
stopifnot(max(abs(weights(cal) - weights(ps))) < 1e-8)
stopifnot(abs(SE(svymean(~tr_plan, cal)) - SE(svymean(~tr_plan, ps))) < 1e-12)
estimates("oe_strat_fpc_joint", ps, c("tr_plan", "inn_product", "telework"), c("sector_group", "multi_site"), totals = TRUE)
wout("oe_strat_fpc_joint", ps)

# ------------------------------------------------------------------ employees: collapsed levels
em <- read.csv(file.path(dir, "employees.csv"))
em$sexf <- factor(em$sex)
em$agec <- factor(ifelse(em$age_band >= 4, "4+5", as.character(em$age_band)), levels = c("1", "2", "3", "4+5"))
mm <- read.csv(file.path(dir, "employees_margins.csv"))
N <- sum(mm$total[mm$variable == "sex"])
age <- mm[mm$variable == "age_band", ]
popv <- c(`(Intercept)` = N, sexf2 = mm$total[mm$variable == "sex" & mm$level == 2],
          agec2 = age$total[age$level == 2], agec3 = age$total[age$level == 3],
          `agec4+5` = sum(age$total[age$level >= 4]))
d1 <- svydesign(ids = ~1, weights = ~base, data = em)
cases <- list(
  emp_raking_collapsed = list(calfun = "raking", bounds = c(-Inf, Inf)),
  emp_linear = list(calfun = "linear", bounds = c(-Inf, Inf)),
  emp_logit = list(calfun = "logit", bounds = c(0.6, 1.7)),
  emp_raking_bounded = list(calfun = "raking", bounds = c(0.7, 1.3))
)
for (case in names(cases)) {
  cc <- cases[[case]]; cat(case, "\n")
  des <- calibrate(d1, ~sexf + agec, population = popv, calfun = cc$calfun, bounds = cc$bounds,
                   epsilon = 1e-13, maxit = 5000)
  g <- weights(des) / em$base
  if (is.finite(cc$bounds[1])) stopifnot(min(g) >= cc$bounds[1] - 1e-9, max(g) <= cc$bounds[2] + 1e-9)
  estimates(case, des, c("stress", "werkbaar"), c("sector"))
  wout(case, des)
}
# ------------------------------------------------------------------ employees: trimmed at a cap
cap <- 190
X <- model.matrix(~sexf + agec, em)
w <- weights(calibrate(d1, ~sexf + agec, population = popv, calfun = "raking", epsilon = 1e-13))
fixed <- rep(FALSE, nrow(em))
for (round in 1:100) {
  over <- !fixed & w > cap * (1 + 1e-9)
  if (!any(over)) break
  fixed <- fixed | over
  remaining <- popv - colSums(X[fixed, , drop = FALSE] * cap)
  free <- svydesign(ids = ~1, weights = ~base, data = em[!fixed, ])
  cf <- calibrate(free, ~sexf + agec, population = remaining, calfun = "raking", epsilon = 1e-13)
  w[!fixed] <- weights(cf)
  w[fixed] <- cap
}
stopifnot(max(w) <= cap * (1 + 1e-9), max(abs(colSums(X * w) - popv)) < 1e-6)
cat("emp_trimmed:", sum(fixed), "units at the cap after", round - 1, "rounds\n")
tr <- calibrate(d1, ~sexf + agec, population = popv, calfun = "raking", epsilon = 1e-13)
k <- length(tr$postStrata)
stopifnot(inherits(tr$postStrata[[k]], "greg_calibration"))
tr$prob <- 1 / w
tr$postStrata[[k]]$w <- (w / em$base) * sqrt(em$base)
estimates("emp_trimmed", tr, c("stress", "werkbaar"), c("sector"))
wout("emp_trimmed", tr)

out <- do.call(rbind, rows)
write.csv(out, file.path(dir, "expected_estimates.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, wrows), file.path(dir, "expected_weights.csv"), row.names = FALSE, quote = FALSE)
cat("wrote", nrow(out), "estimates\n")
