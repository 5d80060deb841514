"""Helpers shared by the Python load drivers of bench/."""


def percentile(values, p):
    """The p-th percentile of `values` (nearest rank), 0 when empty."""
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]
