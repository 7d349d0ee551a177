# Rake the benchmark problem with R survey's rake(); prints one JSON line with the time.
# Usage: Rscript rake_r.R PROBLEM_DIR   (reads data.csv and targets_long.csv, writes weights_r.csv)
suppressMessages(library(survey))
dir <- commandArgs(trailingOnly = TRUE)[1]
d <- read.csv(file.path(dir, "data.csv"))
tl <- read.csv(file.path(dir, "targets_long.csv"))
vars <- unique(tl$variable)
for (v in vars) d[[v]] <- factor(d[[v]], levels = tl$level[tl$variable == v])
pops <- lapply(vars, function(v) {
  t <- tl[tl$variable == v, ]
  out <- data.frame(factor(t$level, levels = t$level), Freq = t$total)
  names(out)[1] <- v
  out
})
forms <- lapply(vars, function(v) as.formula(paste("~", v)))
des <- svydesign(ids = ~1, weights = ~w, data = d)
t0 <- proc.time()[["elapsed"]]
r <- rake(des, forms, pops, control = list(maxit = 1000, epsilon = 1e-11, verbose = FALSE))
secs <- proc.time()[["elapsed"]] - t0
write.csv(data.frame(w = sprintf("%.17g", weights(r))), file.path(dir, "weights_r.csv"),
          row.names = FALSE)
cat(sprintf('{"peer": "R survey", "seconds": %.6f, "version": "%s"}\n', secs,
            as.character(packageVersion("survey"))))
