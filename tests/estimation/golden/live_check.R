# Live cross-check used by tests/estimation/test_estimation_live_r.py (marked needs_r).
#   Rscript live_check.R data.csv margins.csv out.csv
# data.csv: stratum, psu, fpc, w0, a, b, dom, y (0/1, may be empty); margins.csv: variable,level,total
# for the raking margins a and b. Writes, for the overall population and each level of dom:
# the proportion, its SE (raking-aware linearization), deff, df and the logit interval.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
mg <- read.csv(args[2], colClasses = c("character", "character", "numeric"))
d$a <- factor(d$a); d$b <- factor(d$b)
pop <- lapply(c("a", "b"), function(v) {
  x <- mg[mg$variable == v, ]
  r <- data.frame(factor(x$level, levels = levels(d[[v]])), x$total)
  names(r) <- c(v, "Freq"); r
})
des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w0, fpc = ~fpc, data = d)
des <- calibrate(des, formula = list(~a, ~b), population = pop, calfun = "raking", epsilon = 1e-13,
                 maxit = 200)
obs <- subset(des, !is.na(y))
obs$variables$y[is.na(obs$variables$y)] <- 0
num <- function(x) sprintf("%.17g", as.numeric(x))
one <- function(dd, level) {
  m <- svymean(~y, dd, deff = TRUE)
  p <- svyciprop(~y, dd, method = "logit")
  data.frame(level = level, estimate = num(coef(m)), se = num(SE(m)), deff = num(deff(m)),
             df = degf(dd), ci_low = num(attr(p, "ci")[1]), ci_high = num(attr(p, "ci")[2]))
}
rows <- list(one(obs, ""))
for (lv in sort(unique(d$dom))) rows[[length(rows) + 1]] <- one(obs[d$dom == lv, ], as.character(lv))
write.csv(do.call(rbind, rows), args[3], row.names = FALSE, quote = FALSE)
