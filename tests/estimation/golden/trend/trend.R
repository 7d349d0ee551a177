# Golden values for change tests and difference-in-differences (pipeline.estimation.change,
# pipeline.estimation.compare.compare_waves), from R's survey package.
#
# Run from the repository root:   Rscript tests/estimation/golden/trend/trend.R [OUT.csv]
# Reads   tests/estimation/golden/trend/trend_waves.csv, trend_margins.csv (make_trend_data.py)
# Writes  tests/estimation/golden/trend/golden_trend.csv (or OUT.csv)
#
# The two waves are independent samples, each raked from weight 1 to its own population margins
# (sex, age band, sector). R sees them as ONE stacked design with the wave as stratum, calibrated
# with calfun = "raking" to wave-specific margins (every margin crossed with the wave), so each
# wave's weights and linearization are its own and the waves are independent.
#
# change:  svyglm(y ~ wave) on the rows with y observed (and in the domain): the wave coefficient is
#          the change of the (domain) mean and its SE; also svycontrast() of the ratio of totals.
# did:     difference-in-differences of a sector's gap to the whole population between the waves,
#          svycontrast() (delta method) of svytotal() of the sector's and the population's weighted
#          sums and counts in each wave; the within-wave gaps too.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
dir <- "tests/estimation/golden/trend"
out <- if (length(args) >= 1) args[1] else file.path(dir, "golden_trend.csv")
num <- function(x) sprintf("%.17g", as.numeric(x))

d <- read.csv(file.path(dir, "trend_waves.csv"))
m <- read.csv(file.path(dir, "trend_margins.csv"))
d$wave <- factor(d$wave)
d$w0 <- 1
d$ws <- interaction(d$wave, d$sex)
d$wa <- interaction(d$wave, d$age_band)
d$wsec <- interaction(d$wave, d$sector)
des <- svydesign(ids = ~1, strata = ~wave, weights = ~w0, data = d)

tot <- function(var, key) m$total[m$variable == var & paste(m$wave, m$level, sep = ".") == key]
mm <- model.matrix(~ ws + wa + wsec, d)
pop <- setNames(numeric(ncol(mm)), colnames(mm))
pop["(Intercept)"] <- sum(m$total[m$variable == "sex"])
for (nm in colnames(mm)[-1]) {
  var <- c(ws = "sex", wa = "age_band", wsec = "sector")[[sub("^(wsec|ws|wa).*$", "\\1", nm)]]
  key <- sub("^(wsec|ws|wa)", "", nm)
  pop[nm] <- tot(var, key)
}
cal <- calibrate(des, ~ ws + wa + wsec, population = pop, calfun = "raking", epsilon = 1e-13, maxit = 500)

rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)

for (ind in c("y", "m")) {
  obs <- !is.na(cal$variables[[ind]])
  cal$variables$yy <- ifelse(obs, cal$variables[[ind]], 0)
  cal$variables$oo <- as.numeric(obs)
  for (lv in c("", as.character(1:4))) {
    sel <- if (lv == "") obs else obs & cal$variables$sector == as.integer(lv)
    dd <- subset(cal, sel)
    g <- svyglm(as.formula(paste(ind, "~ wave")), design = dd)
    b <- coef(g)[["wave2023"]]
    se <- sqrt(vcov(g)["wave2023", "wave2023"])
    add(kind = "change", indicator = ind, level = lv, what = "svyglm", estimate = num(b), se = num(se),
        p_value = num(2 * pnorm(-abs(b / se))))
  }
  # totals per wave: population and each sector
  v <- cal$variables
  for (w in levels(d$wave)) {
    cal$variables[[paste0("ya_", w)]] <- v$yy * (v$wave == w)
    cal$variables[[paste0("na_", w)]] <- v$oo * (v$wave == w)
    for (s in 1:4) {
      cal$variables[[paste0("ys", s, "_", w)]] <- v$yy * (v$wave == w) * (v$sector == s)
      cal$variables[[paste0("ns", s, "_", w)]] <- v$oo * (v$wave == w) * (v$sector == s)
    }
  }
  names_t <- grep("^(ya|na|ys[0-9]|ns[0-9])_", names(cal$variables), value = TRUE)
  T <- svytotal(as.formula(paste("~", paste(names_t, collapse = " + "))), cal)
  ch <- svycontrast(T, quote(ya_2023 / na_2023 - ya_2019 / na_2019))
  add(kind = "change", indicator = ind, level = "", what = "svycontrast", estimate = num(coef(ch)),
      se = num(SE(ch)), p_value = num(2 * pnorm(-abs(coef(ch) / SE(ch)))))
  for (s in 1:4) {
    e <- function(txt) parse(text = gsub("S", s, txt))[[1]]
    for (w in levels(d$wave)) {
      gap <- svycontrast(T, e(paste0("ysS_", w, " / nsS_", w, " - ya_", w, " / na_", w)))
      add(kind = paste0("gap_", w), indicator = ind, level = as.character(s), what = "svycontrast",
          estimate = num(coef(gap)), se = num(SE(gap)), p_value = "")
    }
    did <- svycontrast(T, e("(ysS_2023 / nsS_2023 - ya_2023 / na_2023) - (ysS_2019 / nsS_2019 - ya_2019 / na_2019)"))
    add(kind = "did", indicator = ind, level = as.character(s), what = "svycontrast",
        estimate = num(coef(did)), se = num(SE(did)), p_value = num(2 * pnorm(-abs(coef(did) / SE(did)))))
  }
}
res <- do.call(rbind, rows)
write.csv(res, out, row.names = FALSE, quote = FALSE)
cat(sprintf("R %s, survey %s: %d rows -> %s\n", getRversion(), packageVersion("survey"), nrow(res), out))
