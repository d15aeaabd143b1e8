"""What an operator watches: logs (logs.py), Prometheus metrics (metrics.py), probes (probes.py)."""
