#!/usr/bin/env bash
# Stop the single-node SLURM cluster started by .ci/slurm_up.sh (slurmd, slurmctld, munged),
# each by the pid in its pid file. Safe to run when nothing is running.
set -euo pipefail

stop_pidfile() { # stop_pidfile NAME PIDFILE
    local pid
    [ -s "$2" ] || return 0
    pid=$(cat "$2")
    if kill -0 "$pid" 2>/dev/null; then
        printf 'slurm_down: stopping %s (pid %s)\n' "$1" "$pid"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$2"
}

stop_pidfile slurmd /run/slurm/slurmd.pid
stop_pidfile slurmctld /run/slurm/slurmctld.pid
stop_pidfile munged /run/munge/munged.pid
