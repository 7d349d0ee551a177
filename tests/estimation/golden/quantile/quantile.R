# Golden values for pipeline.estimation.quantile, from R's survey package (svyquantile).
#
# Run from the repository root:   Rscript tests/estimation/golden/quantile/quantile.R
# Reads  tests/estimation/golden/{apistrat,apiclus1,wbm_synth,wbm_margins}.csv (the cases of golden.R)
# Writes tests/estimation/golden/quantile/golden.csv (one row per case x variable x p x domain)
#
# svyquantile(~y, design, p, ci = TRUE, na.rm = TRUE) with survey's defaults (qrule = "math",
# interval.type = "mean": the Woodruff interval), per domain on subset(design, by == level).
suppressMessages(library(survey))
dir <- "tests/estimation/golden"
num <- function(x) sprintf("%.17g", as.numeric(x))
rows <- list()
one <- function(case, d, y, p, by = "", level = "") {
  r <- svyquantile(as.formula(paste0("~", y)), d, p, ci = TRUE, na.rm = TRUE)[[1]]
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, variable = y, p = p, by = by, level = level,
    n = sum(!is.na(d$variables[[y]]) & weights(d) > 0),
    estimate = num(r[1, 1]), ci_low = num(r[1, 2]), ci_high = num(r[1, 3]), se = num(r[1, 4]))
}
run <- function(case, d, ys, bys, ps = c(0.5, 0.25)) {
  for (y in ys) for (p in ps) {
    one(case, d, y, p)
    for (b in bys) for (lv in sort(unique(as.character(d$variables[[b]])))) {
      one(case, d[as.character(d$variables[[b]]) == lv, ], y, p, b, lv)
    }
  }
}
as <- read.csv(file.path(dir, "apistrat.csv"))
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = as)
run("apistrat", dstrat, c("api00", "enroll", "meals_na"), c("stype", "awards"))
ac <- read.csv(file.path(dir, "apiclus1.csv"))
dclus <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = ac)
run("apiclus1", dclus, c("api00", "enroll"), c("stype"))

wbm <- read.csv(file.path(dir, "wbm_synth.csv"))
marg <- read.csv(file.path(dir, "wbm_margins.csv"), colClasses = "character")
marg$total <- as.numeric(marg$total)
for (v in c("sector", "sex", "age_band", "statute", "occupation")) wbm[[v]] <- factor(wbm[[v]])
pop_sector <- data.frame(sector = factor(marg$level[marg$variable == "sector"], levels = levels(wbm$sector)),
                         Freq = marg$total[marg$variable == "sector"])
sa <- do.call(rbind, strsplit(marg$level[marg$variable == "sex*age_band"], "*", fixed = TRUE))
pop_sexage <- data.frame(sex = factor(sa[, 1], levels = levels(wbm$sex)),
                         age_band = factor(sa[, 2], levels = levels(wbm$age_band)),
                         Freq = marg$total[marg$variable == "sex*age_band"])
pop_statute <- data.frame(statute = factor(marg$level[marg$variable == "statute"], levels = levels(wbm$statute)),
                          Freq = marg$total[marg$variable == "statute"])
rake_it <- function(d) calibrate(d, formula = list(~sector, ~sex + age_band, ~statute),
                                 population = list(pop_sector, pop_sexage, pop_statute),
                                 calfun = "raking", epsilon = 1e-13, maxit = 200)
d_s <- rake_it(svydesign(id = ~1, strata = ~sector, weights = ~base_weight, fpc = ~fpc, data = wbm))
d_c <- rake_it(svydesign(id = ~firm, strata = ~sector, weights = ~base_weight, fpc = ~firm_fpc, data = wbm))
run("wbm_raked", d_s, c("score"), c("sector", "occupation"))
run("wbm_raked_clustered", d_c, c("score"), c("sector"))
write.csv(do.call(rbind, rows), file.path(dir, "quantile", "golden.csv"), row.names = FALSE, quote = FALSE)
