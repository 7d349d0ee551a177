# Golden values for pipeline/estimation/employment.py (shares of employees and magnitude totals of an
# organisation survey), computed with R `survey` (Debian r-cran-survey 4.1-1).
# Data: employment_data.csv, 382 organisations of a SYNTHETIC enterprise-survey wave (stratified
# subset, weights as given). The stratum is sector_group x size_class; its fpc is the sum of the
# weights in the stratum (what employment_estimates uses for post-stratified weights).
# Run from this folder:  Rscript employment.R > employment_golden.csv
suppressMessages(library(survey))
d <- read.csv("employment_data.csv")
d$stratum <- interaction(d$sector_group, d$size_class, drop = TRUE)
d$N <- ave(d$weight, d$stratum, FUN = sum)
des <- svydesign(ids = ~1, strata = ~stratum, weights = ~weight, fpc = ~N, data = d)
out <- data.frame()
for (y in c("beperkt_competentiebeleid", "geen_innovatie")) {
  # share of employees: svyratio(y * e, e); rows without y are left out of both sums
  sub <- subset(des, !is.na(d[[y]]))
  f <- as.formula(paste0("~I(", y, " * employees)"))
  r <- svyratio(f, ~employees, sub)
  out <- rbind(out, data.frame(indicator = y, basis = "werknemers",
                               estimate = as.numeric(coef(r)), se = as.numeric(SE(r))))
}
for (m in c("employees", "tr_days")) {
  t <- svytotal(as.formula(paste0("~", m)), des, na.rm = TRUE)
  out <- rbind(out, data.frame(indicator = m, basis = "organisaties",
                               estimate = as.numeric(coef(t)), se = as.numeric(SE(t))))
}
write.csv(out, row.names = FALSE, quote = FALSE)
