"""Linearization (Taylor series) variance for stratified, clustered, calibrated designs.

What R's ``survey::svyrecvar`` does, for a matrix ``x`` of influence values (one column per
estimate, already scaled so that the estimate's error is ``sum(x)``):

1. calibration (``calibrate(calfun="raking")``, stored as ``greg_calibration``): ``x`` is replaced
   by its residual from the weighted regression on the calibration model matrix ``M`` (dummies of
   every margin, joint margins as one combined factor), ``x <- x - w * (M b)`` with
   ``b = (M' W0 M)^+ M' (x / g)``, ``w0`` the base weights, ``g = w / w0``. This is
   ``qr.resid(qr(M * sqrt(w0)), x / (g * sqrt(w0))) * g * sqrt(w0)`` written out; any generalised
   inverse gives the same residual, so rank-deficient dummy sets are fine.
2. PSU totals ``U`` of the residuals, centred within strata, and
   ``V = sum_h (1 - f_h) n_h / (n_h - 1) sum_{u in h} (U_u - mean_h U)(U_u - mean_h U)'``.

Domains keep every row (influence zero outside the domain, the residual step still touches them),
exactly as R's subsets of calibrated designs do.

Two implementations:

- :func:`recvar_reference`: the literal dense computation above (an n x k matrix, a least-squares
  residual on the n x p model matrix). Slow, obviously right; the oracle for tests.
- :class:`VarianceEngine`: the same numbers without ever forming an n x k matrix. Every influence
  column used by the pipeline has the form ``x = 1{row in domain d} * w * phi``; every term of the
  variance (the projection, the PSU totals, their squares and stratum sums) is then an aggregate over
  (unit, domain), (cell, domain) or (stratum, domain) keys. The calibration model only depends on
  the row's *cell* (its combination of margin levels), so the projection lives in cell space
  (``cells x p``, p ~ 30). Cost: a few ``bincount`` passes over the rows per indicator and
  by-variable, whatever the number of domains.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from pipeline.estimation.design import Design

_EPS_FPC = 1e-7  # R: a stratum with 1 - n/N below this is a census stratum (no variance)


@dataclass(frozen=True, eq=False)
class Layout:
    """Where the rows of each domain fall in the design, prepared once per by-variable.

    ``rows``: indices of the rows in some domain (all rows when ``col`` was None); ``dom``: their
    domain; ``combo``: index of their occupied (unit, domain) pair; ``combo_unit``/``combo_dom``:
    the pairs. The remaining keys pre-combine pairs or rows with strata and calibration cells.
    """

    n_domains: int
    rows: np.ndarray | None  # None = every row, in order
    dom: np.ndarray
    combo: np.ndarray | None  # None = every row is its own pair (PSU = row)
    combo_unit: np.ndarray
    combo_dom: np.ndarray
    key_hd: np.ndarray  # stratum * D + domain, per pair
    key_cd: np.ndarray | None  # cell * D + domain, per row (calibrated designs)
    key_dc: np.ndarray | None  # domain * cells + cell, per pair (calibrated, PSU = row)
    w_rows: np.ndarray  # final weights of the rows
    w0_rows: np.ndarray | None  # base weights of the rows (calibrated designs)
    c_pairs: np.ndarray  # variance scale c_h of each pair's stratum
    cw_pairs: np.ndarray | None  # c_h * w per pair (calibrated, PSU = row)

    @property
    def n_combos(self) -> int:
        return int(self.combo_unit.shape[0])

    def take(self, a: np.ndarray) -> np.ndarray:
        """The layout's rows of a per-design-row array."""
        return a if self.rows is None else a[self.rows]


@dataclass(frozen=True, eq=False)
class Columns:
    """Influence columns in compressed form.

    Column ``(d, s)`` (domain d, component s) is ``1{row in domain d} * w * phi[:, s]`` where ``w``
    is the design's final weight and the domains are those of ``layout``
    (:meth:`VarianceEngine.layout`). ``phi`` has one row per row *of the layout* (``layout.rows``,
    or every design row when that is None), shape (rows, m); rows outside every domain carry none.
    """

    phi: np.ndarray
    layout: Layout

    @property
    def n_domains(self) -> int:
        return self.layout.n_domains

    @property
    def m(self) -> int:
        return int(self.phi.shape[1])


def weighted_bincount(keys: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """``np.bincount(keys, weights, minlength=size)`` as float64 always (numpy returns int64 zeros for
    an empty ``keys`` even with float weights, which then breaks in-place float arithmetic)."""
    return np.bincount(keys, weights=weights, minlength=size).astype(np.float64, copy=False)


def group_sum(keys: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """``out[k] = sum(values[keys == k])`` for a 1-D or 2-D ``values`` (rows aligned with ``keys``)."""
    if values.ndim == 1:
        return weighted_bincount(keys, values, size)
    out = np.empty((size, values.shape[1]))
    for j in range(values.shape[1]):
        out[:, j] = np.bincount(keys, weights=values[:, j], minlength=size)
    return out


def _compress(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys in ascending order, index of each input in that list)."""
    if size <= max(1 << 22, 4 * key.size):
        counts = np.bincount(key, minlength=size)
        present = np.flatnonzero(counts)
        remap = np.empty(size, dtype=np.intp)
        remap[present] = np.arange(present.size, dtype=np.intp)
        return present, remap[key]
    present, inv = np.unique(key, return_inverse=True)
    return present, inv.astype(np.intp)


class VarianceEngine:
    """Design-derived structures, prepared once and reused for every estimate.

    Not a dataclass on purpose: it only caches; the :class:`Design` is the frozen spec.
    """

    def __init__(self, design: Design) -> None:
        self.design = design
        self.w = design.weights
        self.unit = design.psu
        self.U = design.n_psu
        self.H = design.n_strata
        self.unit_stratum = design.psu_stratum
        n_h = design.psu_per_stratum
        self.n_h = n_h
        fpc_factor = 1.0 - design.sampling_fraction
        fpc_factor = np.where(fpc_factor < _EPS_FPC, 0.0, fpc_factor)
        with np.errstate(divide="ignore", invalid="ignore"):
            c_h = np.where(n_h > 1, fpc_factor * n_h / (n_h - 1.0), 0.0)
        center = np.ones(self.H, dtype=bool)
        if design.lonely_psu == "adjust":
            lonely = n_h == 1
            c_h = np.where(lonely, fpc_factor, c_h)
            center = ~lonely
        self.c_h = c_h
        # weight of (sum_h S1_h S1_h') in the variance: c_h / n_h for centred strata
        self.k_h = np.where(center & (n_h > 0), c_h / np.maximum(n_h, 1), 0.0)
        self.c_unit = c_h[self.unit_stratum]
        self.calibrated = design.calibration is not None

    # ----------------------------------------------------------------- calibration structures
    @cached_property
    def _cal(self) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]:
        """(cell per row, number of cells, Mc cells x p, (M'W0M)^+ p x p, w0)."""
        cal = self.design.calibration
        assert cal is not None
        key = np.zeros(self.design.n, dtype=np.int64)
        card = 1
        for c, L in zip(cal.codes, cal.n_levels, strict=True):
            if card * max(L, 1) > (1 << 40):
                _, key = np.unique(key, return_inverse=True)
                card = int(key.max()) + 1
            key = key * max(L, 1) + np.asarray(c, dtype=np.int64)
            card *= max(L, 1)
        present, cell = _compress(key, card)
        n_cells = present.size
        # level of every cell in every group, decoded from the row codes
        p = int(sum(cal.n_levels))
        Mc = np.zeros((n_cells, p))
        first_row = np.full(n_cells, -1, dtype=np.intp)
        first_row[cell[::-1]] = np.arange(cell.size - 1, -1, -1, dtype=np.intp)
        off = 0
        for c, L in zip(cal.codes, cal.n_levels, strict=True):
            Mc[np.arange(n_cells), off + np.asarray(c)[first_row]] = 1.0
            off += L
        w0 = np.asarray(cal.base_weights, dtype=np.float64)
        w0_cell = weighted_bincount(cell, w0, n_cells)
        G = Mc.T @ (w0_cell[:, None] * Mc)
        # generalised inverse through the SVD of the unit-diagonal scaling (LAPACK's symmetric
        # eigensolver is ~400x slower on these exactly rank-deficient dummy Gram matrices)
        diag = np.diag(G)
        s = np.where(diag > 0, 1.0 / np.sqrt(np.where(diag > 0, diag, 1.0)), 0.0)
        Gp = s[:, None] * np.linalg.pinv(G * s[:, None] * s[None, :], rtol=1e-10) * s[None, :]
        return cell, n_cells, Mc, Gp, w0

    @cached_property
    def _T(self) -> sp.csr_matrix:
        """Unit x cell sparse matrix of final-weight totals."""
        cell, n_cells = self._cal[0], self._cal[1]
        return sp.csr_matrix((self.w, (self.unit, cell)), shape=(self.U, n_cells))

    @cached_property
    def _W1(self) -> sp.csr_matrix:
        """Stratum x cell sparse matrix of final-weight totals."""
        cell, n_cells = self._cal[0], self._cal[1]
        return sp.csr_matrix((self.w, (self.design.strata, cell)), shape=(self.H, n_cells))

    @cached_property
    def _Kc(self) -> sp.csr_matrix:
        """sum_u c_u T_u T_u' (cells x cells)."""
        T = self._T
        return (T.T @ sp.diags(self.c_unit) @ T).tocsr()

    # ---------------------------------------------------------------------------------- layouts
    def layout(self, col: np.ndarray | None, n_domains: int) -> Layout:
        """Prepare the domain structure of a by-variable (codes 0..D-1, -1 = in no domain).

        ``col=None``: one domain holding every row (the overall estimate).
        """
        n = self.design.n
        D = int(n_domains)
        if col is None:
            if D != 1:
                raise ValueError("col=None needs n_domains == 1")
            rows = None
            dom = np.zeros(n, dtype=np.intp)
            unit = self.unit
        else:
            col = np.asarray(col, dtype=np.intp)
            if col.shape != (n,):
                raise ValueError(f"col must have shape ({n},)")
            if col.size and col.max() >= D:
                raise ValueError("domain code out of range")
            inside = col >= 0
            if inside.all():
                rows, dom, unit = None, col, self.unit
            else:
                rows = np.flatnonzero(inside)
                dom = col[rows]
                unit = self.unit[rows]
        if self.design.psu_is_row:
            combo = None
            combo_unit = unit if rows is not None else np.arange(n, dtype=np.intp)
            combo_dom = dom
        else:
            present, combo = _compress(unit.astype(np.int64) * D + dom, self.U * D)
            combo_unit = (present // D).astype(np.intp)
            combo_dom = (present % D).astype(np.intp)
        key_hd = self.unit_stratum[combo_unit] * D + combo_dom
        key_cd = key_dc = w0_rows = cw_pairs = None
        w_rows = self.w if rows is None else self.w[rows]
        c_pairs = self.c_unit[combo_unit]
        if self.calibrated:
            cell, n_cells, w0 = self._cal[0], self._cal[1], self._cal[4]
            rc = cell if rows is None else cell[rows]
            key_cd = rc * D + dom
            w0_rows = w0 if rows is None else w0[rows]
            if self.design.psu_is_row:
                key_dc = dom * n_cells + rc
                cw_pairs = c_pairs * w_rows
        return Layout(
            D,
            rows,
            dom,
            combo,
            combo_unit,
            combo_dom,
            key_hd,
            key_cd,
            key_dc,
            w_rows,
            w0_rows,
            c_pairs,
            cw_pairs,
        )

    def _project(self, cols: Columns) -> np.ndarray:
        """Calibration coefficients per cell: E (cells, D, m) with residual x - w * E[cell]."""
        _, n_cells, Mc, Gp, _ = self._cal
        lay = cols.layout
        D, m = lay.n_domains, cols.m
        assert lay.key_cd is not None and lay.w0_rows is not None
        cs = group_sum(lay.key_cd, lay.w0_rows[:, None] * cols.phi, n_cells * D).reshape(
            n_cells, D * m
        )
        E = Mc @ (Gp @ (Mc.T @ cs))
        return E.reshape(n_cells, D, m)

    def _pair_sums(self, cols: Columns) -> np.ndarray:
        """Sum of w * phi over every occupied (unit, domain) pair: (pairs, m)."""
        lay = cols.layout
        wphi = lay.w_rows[:, None] * cols.phi
        if lay.combo is None:
            return wphi
        return group_sum(lay.combo, wphi, lay.n_combos)

    def _z(self, lay: Layout, Q: np.ndarray) -> np.ndarray:
        """Z[d, s, cell] = sum_u c_u Q[u, d, s] T[u, cell]."""
        n_cells = self._cal[1]
        D, m = lay.n_domains, Q.shape[1]
        cu = lay.c_pairs
        if lay.key_dc is not None:  # PSU = row: T has the row's weight in the row's cell only
            assert lay.cw_pairs is not None
            vals = lay.cw_pairs[:, None] * Q
            Z = group_sum(lay.key_dc, vals, D * n_cells).reshape(D, n_cells, m)
            return Z.transpose(0, 2, 1)
        rows = (lay.combo_dom[:, None] * m + np.arange(m)[None, :]).ravel()
        data = (cu[:, None] * Q).ravel()
        Qsp = sp.csr_matrix((data, (rows, np.repeat(lay.combo_unit, m))), shape=(D * m, self.U))
        return np.asarray((Qsp @ self._T).toarray()).reshape(D, m, n_cells)

    # ----------------------------------------------------------------------------- main entry
    def covariance(self, A: Columns, B: Columns | None = None) -> np.ndarray:
        """Design covariance of the columns of ``A`` with those of ``B``, per domain of ``A``.

        ``B=None``: ``A`` with itself, result ``(D, m, m)`` (domains are disjoint, so only the
        within-domain blocks are returned). Otherwise ``B`` must be a single-domain column set over
        every row (layout ``col=None``) and the result is ``(D, m_A, m_B)``: column (d, s) of A
        against column t of B.
        """
        lay = A.layout
        D, mA, H = lay.n_domains, A.m, self.H
        same = B is None
        Q = self._pair_sums(A)
        cu = lay.c_pairs
        if same:
            QB, mB = Q, mA
            QBu = None
        else:
            assert B is not None
            if B.layout.rows is not None or B.n_domains != 1:
                raise ValueError("B must be a single-domain column set over every row")
            QBu = self._pair_sums(B)  # (U, mB): for col=None the pairs are the units, in order
            QB, mB = QBu[lay.combo_unit], B.m
        if mA == 1 and mB == 1:
            out = weighted_bincount(lay.combo_dom, cu * Q[:, 0] * QB[:, 0], D)
            out = out.reshape(D, 1, 1)
        else:
            prod = (cu[:, None] * Q)[:, :, None] * QB[:, None, :]
            out = group_sum(lay.combo_dom, prod.reshape(-1, mA * mB), D).reshape(D, mA, mB)

        # stratum sums of the PSU totals (for the centring term)
        S1A = group_sum(lay.key_hd, Q, H * D).reshape(H, D, mA)
        if same:
            S1B = S1A
        else:
            assert QBu is not None
            S1B = group_sum(self.unit_stratum, QBu, H).reshape(H, 1, mB)

        if self.calibrated:
            n_cells = self._cal[1]
            EA = self._project(A)
            ZA = self._z(lay, Q)  # (D, mA, cells)
            if same:
                EB, ZB = EA, ZA
            else:
                assert B is not None and QBu is not None
                EB = self._project(B)  # (cells, 1, mB)
                ZB = self._z(B.layout, QBu)  # (1, mB, cells)
            # - sum_u c_u Q_A R_B - sum_u c_u R_A Q_B + sum_u c_u R_A R_B
            out -= np.einsum("dsc,cdt->dst", ZA, np.broadcast_to(EB, (n_cells, D, mB)))
            out -= np.einsum("cds,dtc->dst", EA, np.broadcast_to(ZB, (D, mB, n_cells)))
            KEB = (self._Kc @ EB.reshape(n_cells, -1)).reshape(EB.shape)
            out += np.einsum("cds,cdt->dst", EA, np.broadcast_to(KEB, (n_cells, D, mB)))
            W1 = self._W1
            S1A = S1A - (W1 @ EA.reshape(n_cells, -1)).reshape(H, D, mA)
            S1B = S1A if same else S1B - (W1 @ EB.reshape(n_cells, -1)).reshape(H, 1, mB)
        out -= np.einsum("h,hds,hdt->dst", self.k_h, S1A, np.broadcast_to(S1B, (H, D, mB)))
        return out

    def variance(self, A: Columns) -> np.ndarray:
        """Variances of every column of ``A``: (D, m), clipped at 0 (rounding can go below)."""
        cov = self.covariance(A)
        v = np.diagonal(cov, axis1=1, axis2=2).copy()
        return np.maximum(v, 0.0)

    # ------------------------------------------------------------------------- degrees of freedom
    def domain_degf(self, lay: Layout, mask: np.ndarray) -> np.ndarray:
        """R's ``degf`` of each domain's subset: PSUs with a row in ``mask`` (and weight > 0) minus
        strata with such a row, per domain. ``mask``: boolean per design row."""
        D, H = lay.n_domains, self.H
        keep = lay.take(mask) & (lay.w_rows > 0)
        if lay.combo is None:  # PSU = row: pairs are the rows
            kept_pairs = keep
        else:
            kept_pairs = np.bincount(lay.combo, weights=keep, minlength=lay.n_combos) > 0
        units = np.bincount(lay.combo_dom[kept_pairs], minlength=D)
        strata = (
            (np.bincount(lay.key_hd[kept_pairs], minlength=H * D) > 0).reshape(H, D).sum(axis=0)
        )
        return (units - strata).astype(np.int64)


# ------------------------------------------------------------------------------ dense reference
def recvar_reference(design: Design, x: np.ndarray) -> np.ndarray:
    """Literal transcription of R's ``svyrecvar`` for one-stage designs (k x k covariance).

    ``x``: n x k influence matrix (for a mean: ``w * (y - ybar) / sum(w)`` inside the domain, 0
    outside). Dense and O(n p^2); for tests and small data.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    cal = design.calibration
    if cal is not None:
        w0 = np.asarray(cal.base_weights, dtype=np.float64)
        g = design.weights / w0
        cols = []
        for c, L in zip(cal.codes, cal.n_levels, strict=True):
            cols.append(np.eye(L)[np.asarray(c)])
        mm = np.hstack(cols)
        sw0 = np.sqrt(w0)
        A = mm * sw0[:, None]
        wc = g * sw0
        z = x / wc[:, None]
        coef, *_ = np.linalg.lstsq(A, z, rcond=None)
        x = (z - A @ coef) * wc[:, None]
    k = x.shape[1]
    V = np.zeros((k, k))
    eng = VarianceEngine(design)
    Ux = group_sum(design.psu, x, design.n_psu)
    for h in range(design.n_strata):
        units = np.flatnonzero(eng.unit_stratum == h)
        Uh = Ux[units]
        if eng.k_h[h] > 0 or eng.n_h[h] > 1:
            Uh = Uh - Uh.mean(axis=0)
        V += eng.c_h[h] * Uh.T @ Uh
    return V
