"""Linear rows of a company-level model, as arrays a MIP solver takes (see :mod:`planner.solve.exact.company_model`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


class RowStore:
    """Linear rows ``lower <= sum coeff * var <= upper`` as COO triplets (for the MIP form)."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.cut: list[bool] = []  # a valid inequality added for the MIP, not a rule of the model

    def add(self, cols: list[int], vals: list[float], lower: float, upper: float, cut: bool = False) -> None:
        row = len(self.lower)
        self.rows.extend([row] * len(cols))
        self.cols.extend(cols)
        self.vals.extend(vals)
        self.lower.append(float(lower))
        self.upper.append(float(upper))
        self.cut.append(cut)


@dataclass
class LinearForm:
    """The same model as arrays, for a MIP solver: variables x, then unplaced, then the use, split and changed
    indicators.

    Costs are the scaled integer weights (``scale * weight``), so that the solver can use the
    integrality of the objective.
    """

    lower: np.ndarray
    upper: np.ndarray
    cost: np.ndarray
    rows: RowStore

    def matrix(self) -> sp.csr_matrix:
        """The constraint matrix."""
        return sp.csr_matrix((self.rows.vals, (self.rows.rows, self.rows.cols)),
                             shape=(len(self.rows.lower), len(self.lower)))
