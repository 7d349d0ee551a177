# Golden values for pipeline/sectoral/benchmark.py: the main wave's benchmark group (blue-collar
# industry workers of a SYNTHETIC employees' wave, benchmark_main.csv, with their weights) raked to
# the sector's weighted shares of sex and age band (benchmark_sector.csv, a SYNTHETIC PC 126 wave),
# keeping the benchmark's own total; proportions with calibration-aware SEs, R `survey` 4.1-1.
# Run from this folder:  Rscript benchmark.R > benchmark_golden.csv
suppressMessages(library(survey))
b <- read.csv("benchmark_main.csv")
s <- read.csv("benchmark_sector.csv")
total <- sum(b$weight)
share <- function(v) tapply(s$weight, s[[v]], sum) / sum(s$weight)
b$sex <- factor(b$sex)
b$age_band <- factor(b$age_band)
des <- svydesign(ids = ~1, weights = ~weight, data = b)
# population totals of the model matrix (intercept, sex 2, age bands 2-5): raking calibration, the
# linearisation of R's greg_calibration (rake() iterates post-stratifications instead)
pop <- c(total, share("sex")[-1] * total, share("age_band")[-1] * total)
names(pop) <- c("(Intercept)", "sex2", paste0("age_band", 2:5))
rk <- calibrate(des, ~sex + age_band, population = pop, calfun = "raking", epsilon = 1e-12, maxit = 200)
out <- data.frame()
for (y in c("werkbaar_werk", "werkstress")) {
  m <- svymean(as.formula(paste0("~", y)), rk, na.rm = TRUE)
  out <- rbind(out, data.frame(indicator = y, estimate = as.numeric(coef(m)), se = as.numeric(SE(m))))
}
write.csv(out, row.names = FALSE, quote = FALSE)
