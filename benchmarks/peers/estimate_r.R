# Estimation benchmark, R survey: calibrate(calfun = "raking") design, then for every indicator the
# overall proportion (svymean) and svyby(~y, ~sector, design, svymean). With a second argument "rake"
# the same with a rake() design (much slower in R: its variance iterates over the margins).
#   Rscript estimate_r.R PROBLEM_DIR [rake]
# Reads data.csv, margins.csv (variable,level,total) and meta.json's fields (passed by the caller as
# the CSV's columns: strata sector, base weight w0, indicators y*). Prints one JSON line per design;
# writes estimates_r.csv (indicator, level, estimate, se) for the calibrate design.
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
do_rake <- length(args) > 1 && args[2] == "rake"
d <- read.csv(file.path(dir, "data.csv"))
mg <- read.csv(file.path(dir, "margins.csv"), colClasses = c("character", "character", "numeric"))
vars <- unique(mg$variable)
for (v in vars) d[[v]] <- factor(d[[v]])
inds <- grep("^y[0-9]+$", names(d), value = TRUE)
pop <- lapply(vars, function(v) {
  x <- mg[mg$variable == v, ]
  r <- data.frame(factor(x$level, levels = levels(d[[v]])), x$total)
  names(r) <- c(v, "Freq"); r
})
margin_formulas <- lapply(vars, function(v) as.formula(paste0("~", v)))

estimate_all <- function(des) {
  lapply(inds, function(y) {
    f <- as.formula(paste0("~", y))
    list(all = svymean(f, des), by = svyby(f, ~sector, des, svymean))
  })
}

t_cal <- system.time({
  des <- svydesign(id = ~1, strata = ~sector, weights = ~w0, data = d)
  des <- calibrate(des, formula = margin_formulas, population = pop, calfun = "raking", epsilon = 1e-10,
                   maxit = 100)
  res <- estimate_all(des)
})[["elapsed"]]
rows <- list()
for (i in seq_along(inds)) {
  rows[[length(rows) + 1]] <- data.frame(indicator = inds[i], level = "",
                                         estimate = as.numeric(coef(res[[i]]$all)),
                                         se = as.numeric(SE(res[[i]]$all)))
  b <- res[[i]]$by
  rows[[length(rows) + 1]] <- data.frame(indicator = inds[i], level = as.character(b$sector),
                                         estimate = as.numeric(coef(b)), se = as.numeric(SE(b)))
}
out <- do.call(rbind, rows)
out$estimate <- sprintf("%.17g", out$estimate)
out$se <- sprintf("%.17g", out$se)
write.csv(out, file.path(dir, "estimates_r.csv"), row.names = FALSE, quote = FALSE)
cat(sprintf('{"peer": "R calibrate", "seconds": %.6f, "version": "R %s, survey %s"}\n', t_cal,
            getRversion(), packageVersion("survey")))
if (do_rake) {
  t_rake <- system.time({
    des <- svydesign(id = ~1, strata = ~sector, weights = ~w0, data = d)
    des <- rake(des, sample.margins = margin_formulas, population.margins = pop,
                control = list(maxit = 100, epsilon = 1e-10, verbose = FALSE))
    res <- estimate_all(des)
  })[["elapsed"]]
  cat(sprintf('{"peer": "R rake", "seconds": %.6f}\n', t_rake))
}
