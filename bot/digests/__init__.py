"""Consultation digests: a process's state in one read, what changed since the last digest, and the weekly digest."""
