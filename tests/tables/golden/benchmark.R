# Golden values for the benchmark columns of `wbm table` (pipeline.estimation.compare.contrast_pairs):
# a cell against Flanders (nested), against the rest of the population, against another group of
# its breakdown, and a crossed cell against its row (nested), on the SYNTHETIC WBM wave of
# tests/estimation/golden (wbm_synth.csv, stratified by sector with fpc, raked on sector,
# sex x age band and statute: the design of golden.R's case `wbm_raked`).
#
# An independent route: no svyby, no domain subsets. Each domain estimate is a ratio of two
# population totals of the calibrated design (sum of y in the domain / number in the domain, y
# observed), svytotal() gives their calibration-aware covariance, and svycontrast() takes the
# difference of the two ratios by the delta method. p: two-sided t with degf of the design of
# the observed rows. R 4.2.2, survey 4.1-1.
#
# Run from the repository root:  Rscript tests/tables/golden/benchmark.R
# Writes tests/tables/golden/benchmark_golden.csv
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
src <- "tests/estimation/golden"
num <- function(x) sprintf("%.17g", as.numeric(x))
wbm <- read.csv(file.path(src, "wbm_synth.csv"))
marg <- read.csv(file.path(src, "wbm_margins.csv"), colClasses = "character")
marg$total <- as.numeric(marg$total)
raw <- wbm
for (v in c("sector", "sex", "age_band", "statute")) wbm[[v]] <- factor(wbm[[v]])
pop_sector <- data.frame(sector = factor(marg$level[marg$variable == "sector"], levels = levels(wbm$sector)),
                         Freq = marg$total[marg$variable == "sector"])
sa <- do.call(rbind, strsplit(marg$level[marg$variable == "sex*age_band"], "*", fixed = TRUE))
pop_sexage <- data.frame(sex = factor(sa[, 1], levels = levels(wbm$sex)),
                         age_band = factor(sa[, 2], levels = levels(wbm$age_band)),
                         Freq = marg$total[marg$variable == "sex*age_band"])
pop_statute <- data.frame(statute = factor(marg$level[marg$variable == "statute"], levels = levels(wbm$statute)),
                          Freq = marg$total[marg$variable == "statute"])

# the pairs: (label, mask a, mask b) over the rows of the data
pairs <- list()
addp <- function(label, a, b) pairs[[length(pairs) + 1]] <<- list(label = label, a = a, b = b)
everyone <- rep(TRUE, nrow(raw))
for (lv in sort(unique(raw$occupation))) {
  sel <- raw$occupation == lv
  addp(paste0("occupation=", lv, " vs flanders"), sel, everyone)
  addp(paste0("occupation=", lv, " vs rest"), sel, !sel)
}
for (lv in 2:5) addp(paste0("age_band=", lv, " vs age_band=1"), raw$age_band == lv, raw$age_band == 1)
for (s in c(1, 4, 7)) {
  cell <- raw$sector == s & raw$sex == 2
  addp(paste0("sector=", s, "&sex=2 vs sector=", s), cell, raw$sector == s)
  addp(paste0("sector=", s, "&sex=2 vs sector=", s, "&sex=1"), cell, raw$sector == s & raw$sex == 1)
}

out <- data.frame()
for (ind in c("stress", "score")) {
  y <- raw[[ind]]
  obs <- !is.na(y)
  y0 <- ifelse(obs, y, 0)
  d <- wbm
  k <- 0
  for (p in pairs) {
    k <- k + 1
    d[[paste0("ya", k)]] <- y0 * p$a
    d[[paste0("na", k)]] <- as.numeric(obs & p$a)
    d[[paste0("yb", k)]] <- y0 * p$b
    d[[paste0("nb", k)]] <- as.numeric(obs & p$b)
  }
  des <- calibrate(svydesign(id = ~1, strata = ~sector, weights = ~base_weight, fpc = ~fpc, data = d),
                   formula = list(~sector, ~sex + age_band, ~statute),
                   population = list(pop_sector, pop_sexage, pop_statute),
                   calfun = "raking", epsilon = 1e-13, maxit = 200)
  df <- degf(subset(des, !is.na(des$variables[[ind]])))
  for (k in seq_along(pairs)) {
    f <- as.formula(sprintf("~ya%d + na%d + yb%d + nb%d", k, k, k, k))
    tt <- svytotal(f, des)
    names(tt) <- c("ya", "na", "yb", "nb")  # coef names for the contrast
    ct <- svycontrast(tt, list(a = quote(ya / na), b = quote(yb / nb), diff = quote(ya / na - yb / nb)))
    est <- coef(ct)
    se <- SE(ct)[3]
    out <- rbind(out, data.frame(indicator = ind, pair = pairs[[k]]$label,
                                 estimate_a = num(est[1]), estimate_b = num(est[2]),
                                 diff = num(est[3]), diff_se = num(se), df = df,
                                 p_value = num(2 * pt(-abs(est[3] / se), df)),
                                 stringsAsFactors = FALSE))
  }
}
write.csv(out, "tests/tables/golden/benchmark_golden.csv", row.names = FALSE, quote = TRUE)
cat(sprintf("R %s, survey %s: %d rows\n", getRversion(), packageVersion("survey"), nrow(out)))
