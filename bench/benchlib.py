"""Helpers shared by the Python load drivers of bench/."""


def percentile(values, p):
    """The p-th percentile of `values` (nearest rank), 0 when empty."""
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def histogram_buckets(metrics_text, name, labels):
    """The cumulative buckets {le: count} of one Prometheus histogram series
    whose label set contains `labels` (a dict), from /metrics text."""
    buckets = {}
    for line in metrics_text.splitlines():
        if not line.startswith(name + "_bucket{"):
            continue
        inside, value = line[len(name) + len("_bucket{"):].rsplit("} ", 1)
        pairs = dict(part.split("=", 1) for part in inside.split(","))
        pairs = {k: v.strip('"') for k, v in pairs.items()}
        if all(pairs.get(k) == v for k, v in labels.items()):
            le = float("inf") if pairs["le"] == "+Inf" else float(pairs["le"])
            buckets[le] = buckets.get(le, 0) + float(value)
    return buckets


def histogram_quantile(before, after, q):
    """The q-quantile (0..1) of what was observed between two readings of
    the same histogram: the upper bound of the bucket that holds it."""
    delta = sorted((le, after.get(le, 0) - before.get(le, 0)) for le in after)
    total = delta[-1][1] if delta else 0
    if total <= 0:
        return 0.0, 0
    for le, count in delta:
        if count >= q * total:
            return le, int(total)
    return float("inf"), int(total)
