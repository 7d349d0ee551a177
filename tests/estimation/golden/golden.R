# Golden values for pipeline.estimation, from R's survey package.
#
# Run from the repository root:   Rscript tests/estimation/golden/golden.R
# Reads  tests/estimation/golden/wbm_synth.csv, wbm_margins.csv (made by make_wbm_synth.py)
# Writes tests/estimation/golden/apistrat.csv, apiclus1.csv   (the survey package's data, exported)
#        tests/estimation/golden/golden_estimates.csv          (one row per case/indicator/domain/method)
#        tests/estimation/golden/golden_contrasts.csv          (domain minus rest, calibrated designs)
#        tests/estimation/golden/golden_weights.csv            (calibrate(calfun="raking") weights)
# Every domain estimate is computed the way svyby() does it: on subset(design, <domain>), after
# subset(design, !is.na(y)) so missing values are dropped per indicator with the design kept.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
dir <- "tests/estimation/golden"
num <- function(x) { x <- as.numeric(x); ifelse(is.na(x), "", sprintf("%.17g", x)) }
data(api)

rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)

# One indicator in one domain design: mean/proportion/total rows.
one <- function(case, ind, by, level, dd, kind) {
  n <- sum(weights(dd) != 0)
  df <- degf(dd)
  f <- as.formula(paste0("~", ind))
  m <- svymean(f, dd, deff = TRUE)
  ci <- confint(m, df = df)
  add(case = case, indicator = ind, by = by, level = level, stat = ifelse(kind == "prop", "proportion", "mean"),
      ci_method = "wald_t", n = n, df = df, kg_n = nrow(dd), estimate = num(coef(m)), se = num(SE(m)),
      ci_low = num(ci[1]), ci_high = num(ci[2]), deff = num(deff(m)))
  if (kind == "prop" && coef(m) > 0 && coef(m) < 1) {   # R's logit fit does not exist at 0 or 1
    for (meth in c("logit", "beta")) {
      p <- svyciprop(f, dd, method = meth)
      ci <- attr(p, "ci")
      add(case = case, indicator = ind, by = by, level = level, stat = "proportion",
          ci_method = ifelse(meth == "beta", "korn_graubard", "logit"), n = n, df = df, kg_n = nrow(dd),
          estimate = num(as.vector(p)), se = num(sqrt(attr(p, "var"))), ci_low = num(ci[1]),
          ci_high = num(ci[2]), deff = "")
    }
  }
  t <- svytotal(f, dd, deff = TRUE)
  ci <- confint(t, df = df)
  add(case = case, indicator = ind, by = by, level = level, stat = "total", ci_method = "wald_t", n = n,
      df = df, kg_n = nrow(dd), estimate = num(coef(t)), se = num(SE(t)), ci_low = num(ci[1]),
      ci_high = num(ci[2]), deff = num(deff(t)))
}

run_case <- function(case, des, inds, bys) {
  for (ind in names(inds)) {
    dobs <- subset(des, !is.na(des$variables[[ind]]))
    yv <- dobs$variables[[ind]]
    dobs$variables[[ind]][is.na(yv)] <- 0   # zero-weight rows of a calibrated subset: value unused
    one(case, ind, "", "", dobs, inds[[ind]])
    for (b in bys) {
      v <- dobs$variables[[b]]
      for (lv in sort(unique(as.character(v[!is.na(v)])))) {
        dd <- dobs[!is.na(v) & as.character(v) == lv, ]   # as svyby: design[byfactor %in% level, ]
        one(case, ind, b, lv, dd, inds[[ind]])
      }
    }
  }
}

crows <- list()
# Domain minus rest with the covariance of the two: what svyby(..., covmat = TRUE) + svycontrast()
# compute. survey 4.1-1's svyby(covmat = TRUE) fails on subsets of calibrated designs (influence
# length mismatch), so the same steps are spelled out: influence functions of both estimates from
# svymean/svytotal(influence = TRUE), placed on the rows of the full design, then svyrecvar().
# For uncalibrated designs the result is checked against svyby + svycontrast.
contrasts <- function(case, des, inds, bys) {
  for (ind in names(inds)) {
    dobs <- subset(des, !is.na(des$variables[[ind]]))
    yv <- dobs$variables[[ind]]
    dobs$variables[[ind]][is.na(yv)] <- 0
    f <- as.formula(paste0("~", ind))
    nfull <- nrow(dobs)
    for (b in bys) {
      v <- as.character(dobs$variables[[b]])
      for (lv in sort(unique(v[!is.na(v)]))) {
        sel <- !is.na(v) & v == lv
        for (stat in c("mean", "total")) {
          FUN <- if (stat == "mean") svymean else svytotal
          est <- list(); infl <- list()
          for (side in list(sel, !sel)) {
            r <- FUN(f, dobs[side, ], influence = TRUE)
            inf <- attr(r, "influence")
            if (NROW(inf) != nfull) { m <- matrix(0, nfull, 1); m[side, ] <- inf; inf <- m }
            est[[length(est) + 1]] <- coef(r); infl[[length(infl) + 1]] <- inf
          }
          V <- svyrecvar(cbind(infl[[1]], infl[[2]]), dobs$cluster, dobs$strata, dobs$fpc,
                         postStrata = dobs$postStrata)
          dse <- sqrt(drop(c(1, -1) %*% V %*% c(1, -1)))
          if (!survey:::is.calibrated(dobs)) {
            d2 <- dobs
            d2$variables$ins_ <- factor(ifelse(sel, "in", "out"), levels = c("in", "out"))
            ct <- svycontrast(svyby(f, ~ins_, d2, FUN, covmat = TRUE), c(1, -1))
            stopifnot(abs(as.numeric(SE(ct)) - dse) <= 1e-10 * dse)
          }
          crows[[length(crows) + 1]] <<- data.frame(
            case = case, indicator = ind, by = b, level = lv,
            stat = ifelse(stat == "mean" && inds[[ind]] == "prop", "proportion", stat),
            estimate = num(unname(est[[1]])), estimate_rest = num(unname(est[[2]])),
            diff = num(unname(est[[1]] - est[[2]])), diff_se = num(dse), df = degf(dobs),
            stringsAsFactors = FALSE)
        }
      }
    }
  }
}

# ---- apistrat: stratified, fpc --------------------------------------------------------------
as <- apistrat
as$sch_wide <- as.numeric(as$sch.wide == "Yes")
as$awards_yes <- as.numeric(as$awards == "Yes")
as$hi_api <- as.numeric(as$api00 > 850)
as$meals_na <- ifelse(as$snum %% 7 == 0, NA, as$meals)   # a mean with missing values
keep <- c("cds", "snum", "stype", "awards", "pw", "fpc", "api00", "enroll", "sch_wide", "awards_yes",
          "hi_api", "meals_na")
write.csv(as[, keep], file.path(dir, "apistrat.csv"), row.names = FALSE, na = "")
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = as)
print(svymean(~api00, dstrat))   # 662.29, SE 9.409
inds <- list(api00 = "mean", enroll = "mean", meals_na = "mean", sch_wide = "prop", awards_yes = "prop",
             hi_api = "prop")
run_case("apistrat", dstrat, inds, c("stype", "awards"))
contrasts("apistrat", dstrat, list(api00 = "mean", sch_wide = "prop"), c("awards"))

# ---- apiclus1: one-stage cluster sample, fpc ------------------------------------------------
ac <- apiclus1
ac$sch_wide <- as.numeric(ac$sch.wide == "Yes")
ac$hi_api <- as.numeric(ac$api00 > 850)
write.csv(ac[, c("cds", "dnum", "stype", "pw", "fpc", "api00", "enroll", "sch_wide", "hi_api")],
          file.path(dir, "apiclus1.csv"), row.names = FALSE, na = "")
dclus <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = ac)
run_case("apiclus1", dclus, list(api00 = "mean", enroll = "mean", sch_wide = "prop", hi_api = "prop"),
         c("stype"))
contrasts("apiclus1", dclus, list(api00 = "mean", sch_wide = "prop"), c("stype"))

# ---- synthetic WBM wave: calibrate(calfun = "raking") on sector, sex x age band, statute -------
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
write.csv(data.frame(id = wbm$id, weight = num(weights(d_s))), file.path(dir, "golden_weights.csv"),
          row.names = FALSE, quote = FALSE)
winds <- list(stress = "prop", motivation = "prop", learning = "prop", worklife = "prop", werkbaar = "prop",
              acute = "prop", score = "mean")
run_case("wbm_raked", d_s, winds, c("sector", "sex", "age_band", "occupation"))
run_case("wbm_raked_clustered", d_c, winds[c("stress", "werkbaar", "acute", "score")], c("sector", "occupation"))
contrasts("wbm_raked", d_s, winds[c("stress", "werkbaar", "score")], c("sector", "occupation"))
contrasts("wbm_raked_clustered", d_c, winds[c("stress", "score")], c("sector"))
# the same weights treated as fixed (no calibration): what a raking-blind variance gives
d_fixed <- svydesign(id = ~1, strata = ~sector, weights = ~w, fpc = ~fpc,
                     data = transform(wbm, w = weights(d_s)))
run_case("wbm_fixed_weights", d_fixed, winds[c("stress", "werkbaar")], c("sector"))

print(summary(warnings()))
out <- do.call(rbind, rows)
write.csv(out, file.path(dir, "golden_estimates.csv"), row.names = FALSE, quote = FALSE)
write.csv(do.call(rbind, crows), file.path(dir, "golden_contrasts.csv"), row.names = FALSE, quote = FALSE)
cat(sprintf("R %s, survey %s: %d estimate rows, %d contrast rows\n", getRversion(),
            packageVersion("survey"), nrow(out), length(crows)))
