# Reference computation of R-indicators and partial R-indicators with base R (glm only, no package).
#
#   Rscript tests/fieldwork/golden/rindicator.R [frame.csv out_prefix]
#
# Without arguments it reads frame_si.csv and frame_stsi.csv beside this file and writes
# rindicator_si_*.csv and rindicator_stsi_*.csv (overall, by variable, by category). With
# arguments it does one frame (used by the live test).
#
# Formulas: Schouten, Cobben & Bethlehem (2009), Survey Methodology 35(1) (R-indicator);
# Shlomo, Skinner & Schouten (2012), J. Statistical Planning and Inference 142 (bias adjustment,
# variance); Schouten, Shlomo & Skinner (2011), J. Official Statistics 27(2) (partial indicators);
# as summarised in the RISQ manual 2.1 (de Heij, Schouten & Shlomo 2015). Written independently
# of the Python engine (pipeline/fieldwork/rindicator.py): this file is the reference.

args <- commandArgs(trailingOnly = TRUE)
here <- tryCatch(dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE)))),
                 error = function(e) ".")

# variance of an estimated total under stratified SRS without replacement
var_total <- function(y, w, strata) {
  v <- 0
  for (h in unique(strata)) {
    s <- strata == h
    nh <- sum(s)
    if (nh < 2) next
    Nh <- sum(w[s])
    v <- v + Nh^2 * (1 - nh / Nh) * var(y[s]) / nh
  }
  v
}

tr2 <- function(B, S) { M <- B %*% S; sum(diag(M %*% M)) }

propensity_fit <- function(d, vars) {
  f <- as.formula(paste("responded ~", paste(vars, collapse = " + ")))
  dd <- d
  for (v in vars) dd[[v]] <- factor(dd[[v]])
  dd$.w <- dd$design_weight / mean(dd$design_weight)
  fit <- suppressWarnings(glm(f, family = binomial(), data = dd, weights = .w,
                              control = glm.control(epsilon = 1e-13, maxit = 100)))
  X <- model.matrix(f, dd)
  Sigma <- vcov(fit)
  X <- X[, colnames(Sigma), drop = FALSE]
  rho <- as.vector(fitted(fit))
  list(rho = rho, Sigma = Sigma, Z = rho * (1 - rho) * X)
}

core <- function(d, vars) {
  w <- d$design_weight; st <- d$stratum; N <- sum(w)
  p <- propensity_fit(d, vars)
  rho <- p$rho; Z <- p$Z; Sigma <- p$Sigma
  m <- sum(w * rho) / N
  s2 <- sum(w * (rho - m)^2) / (N - 1)
  s2ml <- sum(w * (rho - m)^2) / N
  lambda1 <- sum(w * rowSums((Z %*% Sigma) * Z))
  lambda2 <- var_total(rho, w, st) / N
  bias <- (lambda1 - lambda2) / N
  bf <- if (bias > s2) 0 else 1 - bias / s2
  zbar <- colSums(w * Z) / N
  Zc <- sweep(Z, 2, zbar)
  A <- colSums(w * (rho - m) * Zc) / N
  B <- t(Zc) %*% (w * Zc) / N
  C <- var_total((rho - m)^2, w, st)
  vr <- (4 * as.numeric(t(A) %*% Sigma %*% A) + 2 * tr2(B, Sigma) + C / N^2) / s2ml
  list(rho = rho, Z = Z, Sigma = Sigma, m = m, s2 = s2, bf = bf, vr = vr, N = N, w = w, st = st)
}

one_frame <- function(infile, prefix) {
  d <- read.csv(infile)
  vars <- c("sex", "age_band", "sector")
  k <- core(d, vars)
  r <- 1 - 2 * sqrt(k$s2 * k$bf)
  se <- sqrt(k$vr)
  cv <- sqrt(k$s2 * k$bf) / k$m
  overall <- data.frame(
    r = r, r_unadjusted = 1 - 2 * sqrt(k$s2), se = se,
    ci_low = r - qnorm(0.975) * se, ci_high = r + qnorm(0.975) * se,
    cv = cv, cv_unadjusted = sqrt(k$s2) / k$m,
    cv_se = sqrt(0.25 * k$vr / k$m^2 + cv^4 / nrow(d)),
    response_rate = k$m, bias_factor = k$bf)
  byvar <- NULL; bycat <- NULL
  w <- k$w; N <- k$N; rho <- k$rho
  for (v in vars) {
    x <- d[[v]]
    levs <- sort(unique(x))
    # unconditional
    Nk <- tapply(w, x, sum); mk <- tapply(w * rho, x, sum) / Nk
    betw <- Nk * (mk - k$m)^2 / N
    alone <- core(d, v)
    pu_se <- 0.5 * sqrt(alone$vr)
    # conditional: cells of the other variables
    others <- setdiff(vars, v)
    cell <- interaction(d[others], drop = TRUE)
    Wc <- ave(w, cell, FUN = sum)
    rho_c <- ave(w * rho, cell, FUN = sum) / Wc
    Z_c <- apply(k$Z, 2, function(z) ave(w * z, cell, FUN = sum) / Wc)
    dr <- rho - rho_c; dZ <- k$Z - Z_c
    within <- tapply(w * dr^2 / N, x, sum)
    byvar <- rbind(byvar, data.frame(
      variable = v,
      unconditional = sqrt(sum(betw) * k$bf), unconditional_unadjusted = sqrt(sum(betw)),
      unconditional_se = pu_se,
      conditional = sqrt(sum(within) * k$bf), conditional_unadjusted = sqrt(sum(within))))
    for (j in seq_along(levs)) {
      dl <- as.numeric(x == levs[j])
      V1 <- var_total(dl * rho, w, k$st); V2 <- var_total((1 - dl) * rho, w, k$st)
      u_se <- sqrt(Nk[j] / N * (V1 * (1 / Nk[j] - 1 / N)^2 + V2 / N^2))
      dZw <- dZ * (dl * w)
      A <- colSums(dr * dZw)
      B <- t(dZ) %*% dZw
      d2 <- dr^2 * dl
      cv_c <- 0.25 * (4 * as.numeric(t(A) %*% k$Sigma %*% A) + 2 * tr2(B, k$Sigma) +
                        var_total(d2, w, k$st)) / (N * sum(d2 * w))
      bycat <- rbind(bycat, data.frame(
        variable = v, category = levs[j], response_rate = mk[j],
        unconditional = sign(mk[j] - k$m) * sqrt(betw[j]), unconditional_se = u_se,
        conditional = sqrt(within[j]), conditional_se = sqrt(cv_c)))
    }
  }
  w17 <- function(df, f) write.csv(format(df, digits = 17), f, row.names = FALSE, quote = FALSE)
  w17(overall, paste0(prefix, "_overall.csv"))
  w17(byvar, paste0(prefix, "_variables.csv"))
  w17(bycat, paste0(prefix, "_categories.csv"))
}

if (length(args) == 2) {
  one_frame(args[1], args[2])
} else {
  for (case in c("si", "stsi"))
    one_frame(file.path(here, paste0("frame_", case, ".csv")), file.path(here, paste0("rindicator_", case)))
}
