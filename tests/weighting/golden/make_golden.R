# Golden weights for tests/weighting/test_weighting_golden_r.py, produced with R's survey package.
# Recipe (run from this folder):  Rscript make_golden.R
# Inputs : data.csv (300 rows: id, sex, age_band, sector, base weight w; a fixed skewed sample drawn
#          once with numpy default_rng(20231) and stored),
#          margins.csv (sex, age_band, sector), margins_joint.csv (sex*age_band joint, sector).
# Output : expected.csv, one column of weights per case, 17 significant digits.
# Tolerance used by the tests: 1e-8 relative, per weight.
# Convergence is set far tighter than the tolerance (epsilon 1e-13 / 1e-12, maxit 1000).
suppressMessages(library(survey))
cat("survey", as.character(packageVersion("survey")), "\n")
d <- read.csv("data.csv")
m <- read.csv("margins.csv", colClasses = c("character", "character", "numeric"))
mj <- read.csv("margins_joint.csv", colClasses = c("character", "character", "numeric"))
N <- sum(m$total[m$variable == "sex"])
d$sex <- factor(d$sex); d$age_band <- factor(d$age_band); d$sector <- factor(d$sector)
# base weights scaled to the population total (the convention for bounds: g = w / w_pop)
d$w_pop <- d$w * N / sum(d$w)

tab <- function(var) {
  mm <- m[m$variable == var, ]
  out <- data.frame(factor(mm$level, levels = levels(d[[var]])), Freq = mm$total)
  names(out)[1] <- var
  out
}
pop_vec <- function() {  # totals in model.matrix(~sex+age_band+sector) order
  c(`(Intercept)` = N,
    setNames(m$total[m$variable == "sex"][-1], paste0("sex", levels(d$sex)[-1])),
    setNames(m$total[m$variable == "age_band"][-1], paste0("age_band", levels(d$age_band)[-1])),
    setNames(m$total[m$variable == "sector"][-1], paste0("sector", levels(d$sector)[-1])))
}

des <- svydesign(ids = ~1, weights = ~w, data = d)
des_pop <- svydesign(ids = ~1, weights = ~w_pop, data = d)
out <- data.frame(id = d$id)

# 1. rake() on three one-way margins
r1 <- rake(des, list(~sex, ~age_band, ~sector), list(tab("sex"), tab("age_band"), tab("sector")),
           control = list(maxit = 1000, epsilon = 1e-13, verbose = FALSE))
out$rake <- weights(r1)

# 2. calibrate(calfun = "raking") on the same margins
c2 <- calibrate(des, ~sex + age_band + sector, pop_vec(), calfun = "raking",
                epsilon = 1e-13, maxit = 1000)
out$calibrate_raking <- weights(c2)

# 3. rake() with a joint margin sex x age_band plus sector
sa <- mj[mj$variable == "sex*age_band", ]
parts <- do.call(rbind, strsplit(sa$level, "*", fixed = TRUE))
tab_sa <- data.frame(sex = factor(parts[, 1], levels = levels(d$sex)),
                     age_band = factor(parts[, 2], levels = levels(d$age_band)), Freq = sa$total)
r3 <- rake(des, list(~sex + age_band, ~sector), list(tab_sa, tab("sector")),
           control = list(maxit = 1000, epsilon = 1e-13, verbose = FALSE))
out$rake_joint <- weights(r3)

# 4. linear calibration (GREG), no bounds
c4 <- calibrate(des, ~sex + age_band + sector, pop_vec(), calfun = "linear")
out$linear <- weights(c4)

# 5. bounded calibration, bounds on g = w / w_pop (the base weights scaled to the population)
bounded <- list(c("logit", 0.2, 5), c("logit", 0.3, 4), c("linear", 0.3, 4), c("raking", 0.3, 4))
for (case in bounded) {
  cb <- calibrate(des_pop, ~sex + age_band + sector, pop_vec(), calfun = case[1],
                  bounds = as.numeric(case[2:3]), epsilon = 1e-12, maxit = 1000)
  out[[paste(case, collapse = "_")]] <- weights(cb)
}
# (bounds 0.5, 3 are infeasible for this sample: R fails to converge; the tests expect a notice)

# 7. post-stratification on the joint sex x age_band cells
p7 <- postStratify(des, ~sex + age_band, tab_sa)
out$poststratify <- weights(p7)

write.csv(format(out, digits = 17), "expected.csv", row.names = FALSE, quote = FALSE)
