#!/usr/bin/env bash
# A single-node SLURM cluster on this machine, for tests/test_slurm.py and profiles/slurm.
#
# Run as root. Idempotent: installs Debian's slurm-wlm + munge when missing, (re)writes
# /etc/slurm/slurm.conf for this host, creates the munge key when missing, starts munged,
# slurmctld and slurmd directly (no systemd) unless they already run, and waits until
# `sinfo` shows the node idle. Daemons that already run are left alone, unless slurm.conf
# changed, in which case the SLURM daemons are restarted. Stop them with .ci/slurm_down.sh.
#
# Environment: SLURM_UP_TIMEOUT (seconds to wait for an idle node, default 90).
set -euo pipefail

TIMEOUT=${SLURM_UP_TIMEOUT:-90}
CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
LOG_DIR=/var/log/slurm
STATE_DIR=/var/lib/slurm
RUN_DIR=/run/slurm
MUNGE_RUN=/run/munge
MUNGE_KEY=/etc/munge/munge.key

say() { printf 'slurm_up: %s\n' "$*"; }
die() {
    printf 'slurm_up: error: %s\n' "$*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root"

# --- packages ------------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

# --- munge ---------------------------------------------------------------------------------
pid_alive() { # pid_alive PIDFILE: the pid in PIDFILE is a live process
    [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 "$MUNGE_RUN"
if [ ! -s "$MUNGE_KEY" ]; then
    say "creating the munge key"
    if command -v mungekey >/dev/null; then
        mungekey --create --keyfile="$MUNGE_KEY" --force
    else
        dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
    fi
fi
chown munge:munge "$MUNGE_KEY"
chmod 0400 "$MUNGE_KEY"

if ! pid_alive "$MUNGE_RUN/munged.pid"; then
    say "starting munged"
    rm -f "$MUNGE_RUN/munged.pid" "$MUNGE_RUN/munge.socket.2" "$MUNGE_RUN/munge.socket.2.lock"
    runuser -u munge -- /usr/sbin/munged
fi
for _ in $(seq 1 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
    sleep 0.2
done
munge -n | unmunge >/dev/null 2>&1 || die "munged does not answer (see /var/log/munge/munged.log)"

# --- slurm.conf ----------------------------------------------------------------------------
NODE=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
# RealMemory a bit below the machine's: slurmd drains a node that has less than configured.
REAL_MB=$((MEM_MB - (MEM_MB / 20 > 512 ? MEM_MB / 20 : 512)))
[ "$REAL_MB" -gt 0 ] || die "cannot work out the memory of this machine"

install -d -m 0755 "$CONF_DIR" "$LOG_DIR" "$RUN_DIR" "$STATE_DIR"
install -d -m 0700 "$STATE_DIR/slurmctld" "$STATE_DIR/slurmd"

new_conf=$(mktemp)
trap 'rm -f "$new_conf"' EXIT
cat >"$new_conf" <<EOF
# Written by .ci/slurm_up.sh: a single-node cluster for CI and local testing.
ClusterName=citydip
SlurmctldHost=${NODE}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
SchedulerType=sched/backfill
# Frequent scheduling passes: many short jobs.
SchedulerParameters=sched_interval=2,bf_interval=5
MinJobAge=300
KillWait=10
SlurmctldPort=6817
SlurmdPort=6818
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
StateSaveLocation=$STATE_DIR/slurmctld
SlurmdSpoolDir=$STATE_DIR/slurmd
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=${CPUS} RealMemory=${REAL_MB} State=UNKNOWN
PartitionName=main Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP
EOF

restart=0
if ! cmp -s "$new_conf" "$CONF"; then
    say "writing $CONF (node $NODE, $CPUS CPUs, RealMemory=$REAL_MB MB)"
    install -m 0644 "$new_conf" "$CONF"
    restart=1
fi

stop_pidfile() { # stop_pidfile PIDFILE: SIGTERM the pid in it, wait for it to go
    local pid
    pid_alive "$1" || return 0
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}

if [ "$restart" = 1 ]; then
    stop_pidfile "$RUN_DIR/slurmd.pid"
    stop_pidfile "$RUN_DIR/slurmctld.pid"
fi

# --- daemons -------------------------------------------------------------------------------
if ! pid_alive "$RUN_DIR/slurmctld.pid"; then
    say "starting slurmctld"
    # -c: a fresh start (no saved jobs); -i: ignore errors from saved state.
    /usr/sbin/slurmctld -c -i
fi
if ! pid_alive "$RUN_DIR/slurmd.pid"; then
    say "starting slurmd"
    /usr/sbin/slurmd
fi

# --- wait for an idle node -----------------------------------------------------------------
deadline=$(($(date +%s) + TIMEOUT))
state=""
while :; do
    state=$(sinfo -h -N -n "$NODE" -o '%t' 2>/dev/null | head -n 1 || true)
    case "$state" in
        idle | mix | alloc | comp) break ;;
        down* | drain* | drng* | fail*)
            # A node left down or drained (e.g. by an earlier restart) is put back in service.
            scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true
            ;;
    esac
    if [ "$(date +%s)" -ge "$deadline" ]; then
        printf 'slurm_up: error: node %s not idle after %ss (state: %s)\n' \
            "$NODE" "$TIMEOUT" "${state:-no answer from slurmctld}" >&2
        sinfo -N -l >&2 2>&1 || true
        scontrol show node "$NODE" >&2 2>&1 || true
        tail -n 20 "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" >&2 2>&1 || true
        exit 1
    fi
    sleep 1
done
say "up: node $NODE is $state ($CPUS CPUs, RealMemory=$REAL_MB MB)"
sinfo
