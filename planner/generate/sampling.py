"""Small seeded sampling helpers: weighted picks and integer apportionment."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["apportion", "pick", "sizes_summing_to"]


def pick(rng: np.random.Generator, options: tuple[tuple[Any, float], ...] | dict[Any, float]) -> Any:
    items = list(options.items()) if isinstance(options, dict) else list(options)
    weights = np.array([w for _, w in items], dtype=float)
    return items[int(rng.choice(len(items), p=weights / weights.sum()))][0]


def apportion(total: int, weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights``; remainders by systematic sampling."""
    weights = np.asarray(weights, dtype=float)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=int)
    exact = weights / weights.sum() * total
    counts = np.floor(exact).astype(int)
    remainder = total - int(counts.sum())
    if remainder > 0:
        cumulative = np.cumsum(exact - counts)
        points = (rng.uniform() + np.arange(remainder)) * cumulative[-1] / remainder
        np.add.at(counts, np.minimum(np.searchsorted(cumulative, points, side="right"), len(counts) - 1), 1)
    return counts


def sizes_summing_to(raw: np.ndarray, total: int, low: int, high: int, rng: np.random.Generator) -> np.ndarray:
    """Integers near ``raw`` (rescaled) within [low, high] that add up to ``total`` where possible."""
    sizes = np.clip(np.round(raw * total / max(raw.sum(), 1e-9)), low, high).astype(int)
    for _ in range(high - low + 1):
        gap = total - int(sizes.sum())
        candidates = np.flatnonzero(sizes < high if gap > 0 else sizes > low)
        if gap == 0 or len(candidates) == 0:
            break
        chosen = rng.choice(candidates, size=min(len(candidates), abs(gap)), replace=False)
        sizes[chosen] += 1 if gap > 0 else -1
    return sizes

