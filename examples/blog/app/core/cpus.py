"""The CPUs this process may use: its affinity, capped by the CPU quota of its cgroup and of
every cgroup above it (a container's or a systemd unit's limit).

`os.cpu_count()` counts the host's cores, also inside a container limited to one.
"""

import math
import os
from collections.abc import Iterator
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
MEMBERSHIP = Path("/proc/self/cgroup")


def usable_cpus(root: Path = CGROUP_ROOT, membership: Path = MEMBERSHIP) -> int:
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    cpus = len(affinity) if affinity else os.cpu_count() or 1
    quotas = [quota for quota in _quotas(root, membership) if quota is not None]
    return max(1, min(cpus, math.ceil(min(quotas)))) if quotas else cpus


def _quotas(root: Path, membership: Path) -> Iterator[float | None]:
    """The CPU quota (in CPUs) of each cgroup from this process's own up to the root."""
    try:
        lines = membership.read_text().splitlines()
    except OSError:
        return
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if not controllers:  # cgroup v2: one tree, `cpu.max` in each group
            yield from map(_v2_quota, _up_from(root, path))
        elif "cpu" in controllers.split(","):  # cgroup v1: the cpu controller's tree
            for mount in (root / controllers, root / "cpu"):
                if mount.is_dir():
                    yield from map(_v1_quota, _up_from(mount, path))
                    break


def _up_from(base: Path, path: str) -> Iterator[Path]:
    group = base / path.strip("/")
    yield group
    yield from (parent for parent in group.parents if parent.is_relative_to(base))


def _v2_quota(group: Path) -> float | None:
    try:
        quota, period = (group / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        return None


def _v1_quota(group: Path) -> float | None:
    try:
        quota = int((group / "cpu.cfs_quota_us").read_text())
        period = int((group / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if quota < 0 else quota / period
