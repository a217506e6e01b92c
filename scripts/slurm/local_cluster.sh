#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine (Debian's slurm-wlm and munge, as root, no
# systemd), to try scripts/slurm/sweep.sbatch and to test it (tests/e2e/slurm_cluster_test.cpp):
#   scripts/slurm/local_cluster.sh start    start munged, slurmctld and slurmd (what is not running
#                                           yet) and wait until the node is idle
#   scripts/slurm/local_cluster.sh stop     cancel the cluster's jobs and stop the daemons it started
#   scripts/slurm/local_cluster.sh status   what runs; exit 0 when the node is up, 1 otherwise
# Then point Slurm's commands at it: export SLURM_CONF=$ACTBENCH_SLURM_DIR/slurm.conf
# (start prints the line). The node has the machine's CPUs and memory (`slurmd -C`); its two
# partitions, `cpu` and `alt`, are neither of them the default, as on clusters where every job
# must name one (-p cpu, or SBATCH_PARTITION=cpu). No slurmdbd: each finished job's state and exit
# code are recorded in $ACTBENCH_SLURM_DIR/jobcomp.log (jobcomp/filetxt).
# Environment: ACTBENCH_SLURM_DIR  state directory (default /tmp/actbench-slurm): slurm.conf,
#   pid files, logs, spool -- one cluster per directory: two directories are two clusters side by
#   side (the tests give each test process its own); ACTBENCH_SLURM_PORT  slurmctld's port
#   (slurmd: +1; default: a free pair found at each start, kept in the directory's slurm.conf).
#   A port that something else holds fails the start, loudly, and a start reports success only
#   when this directory's own daemons run and its node is idle.
set -euo pipefail

state=${ACTBENCH_SLURM_DIR:-/tmp/actbench-slurm}
port=${ACTBENCH_SLURM_PORT:-}
conf=$state/slurm.conf
munge_socket=/run/munge/munge.socket.2
wait_s=60

say() { echo "local_cluster: $*" >&2; }
die() { echo "local_cluster: error: $1" >&2; exit "${2:-1}"; }  # die MESSAGE [EXIT_CODE]

# The pid in $state/NAME.pid when that process is alive, else nothing.
alive_pid() {
  local pid
  pid=$(cat "$state/$1.pid" 2>/dev/null) || return 0
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

munge_works() { munge -n -S "$munge_socket" 2>/dev/null | unmunge -S "$munge_socket" >/dev/null 2>&1; }

# The node's state as sinfo says it ("idle"), or nothing (sinfo retries for a minute without a
# controller: it gets 10 s).
node_state() { SLURM_CONF=$conf timeout 10 sinfo -h -N -o %T 2>/dev/null | head -n 1 || true; }

# Stops the process in $state/NAME.pid (TERM, then KILL after 15 s) and removes the pid file.
stop_pid() {
  local pid i
  pid=$(alive_pid "$1")
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$1 ($pid) did not stop in 15 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped $1 ($pid)"
  fi
  rm -f "$state/$1.pid"
}

need_root_and_packages() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (it starts munged, slurmctld and slurmd)" 2
  local cmd
  for cmd in munged munge unmunge slurmctld slurmd sinfo scontrol runuser; do
    command -v "$cmd" >/dev/null 2>&1 ||
      die "$cmd not found: install Debian's slurm-wlm and munge (scripts/setup.sh --tests)" 2
  done
  id munge >/dev/null 2>&1 || die "no munge user: reinstall Debian's munge package" 2
}

start_munge() {
  if munge_works; then return 0; fi
  if [ ! -s /etc/munge/munge.key ]; then
    say "creating /etc/munge/munge.key"
    if command -v mungekey >/dev/null 2>&1; then
      mungekey --create --keyfile=/etc/munge/munge.key
    else
      create-munge-key -f
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0600 /etc/munge/munge.key
  fi
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  runuser -u munge -- munged --socket="$munge_socket" --pid-file=/run/munge/munged.pid ||
    die "munged did not start; see /var/log/munge/munged.log"
  cp /run/munge/munged.pid "$state/munged.pid"  # ours to stop
  local i
  for ((i = 0; i < wait_s * 10; i++)); do munge_works && return 0; sleep 0.1; done
  die "munged started but no credential could be made in ${wait_s} s; see /var/log/munge/munged.log"
}

# Whether something listens on 127.0.0.1:$1.
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sets `port` to ACTBENCH_SLURM_PORT (both it and the next one free, or fail) or to a free pair
# from a random start (this process's and others' clusters never share one).
choose_ports() {
  if [ -n "${ACTBENCH_SLURM_PORT:-}" ]; then
    [[ "$ACTBENCH_SLURM_PORT" =~ ^[1-9][0-9]*$ ]] && [ "$ACTBENCH_SLURM_PORT" -lt 65535 ] ||
      die "ACTBENCH_SLURM_PORT must be a port number below 65535, got '$ACTBENCH_SLURM_PORT'" 2
    port=$ACTBENCH_SLURM_PORT
    if port_taken "$port" || port_taken $((port + 1)); then
      die "port $port or $((port + 1)) is already taken (another Slurm?): unset ACTBENCH_SLURM_PORT to let a free pair be chosen" 2
    fi
    return 0
  fi
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ! port_taken "$p" && ! port_taken $((p + 1)); then
      port=$p
      return 0
    fi
  done
  die "found no free pair of ports for slurmctld and slurmd"
}

write_conf() {
  local host node
  host=$(hostname -s)
  node=$(slurmd -C | head -n 1) # NodeName=HOST CPUs=... RealMemory=...
  [[ "$node" == NodeName=* ]] || die "slurmd -C printed no node line: $node"
  cat >"$conf" <<EOF
# Written by scripts/slurm/local_cluster.sh: a single-node test cluster.
ClusterName=actbench
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$state/jobcomp.log
MailProg=/bin/true
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=600
# Batch jobs are scheduled as soon as they can run, not at the default's 3 s intervals (the
# tests, tests/e2e/slurm_cluster_test.cpp, wait for every job and its successor).
SchedulerParameters=batch_sched_delay=0
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=cpu Nodes=ALL Default=NO MaxTime=INFINITE State=UP
PartitionName=alt Nodes=ALL Default=NO MaxTime=INFINITE State=UP
EOF
}

# Prints the end of the daemons' logs, stops what started, fails with `what`.
fail_start() {
  local log
  for log in "$state/slurmctld.log" "$state/slurmd.log"; do
    [ -f "$log" ] && { echo "--- $log (end)" >&2; tail -n 15 "$log" >&2; }
  done
  stop_cluster >/dev/null 2>&1 || true
  die "$1"
}

start_cluster() {
  need_root_and_packages
  mkdir -p "$state"
  if [ -n "$(alive_pid slurmctld)" ] && [ -n "$(alive_pid slurmd)" ] && [ "$(node_state)" = idle ]; then
    say "already running (export SLURM_CONF=$conf)"
    return 0
  fi
  stop_pid slurmd
  stop_pid slurmctld
  start_munge
  # A fresh cluster: job ids start at 1 again, so the records of earlier ones go too.
  rm -rf "$state/ctld" "$state/spool" "$state/jobcomp.log" "$state/slurmctld.log" \
    "$state/slurmd.log"
  mkdir -p "$state/ctld" "$state/spool"
  choose_ports
  write_conf
  slurmctld -c -f "$conf" || fail_start "slurmctld did not start"
  slurmd -f "$conf" || fail_start "slurmd did not start"
  local s="" name deadline=$((SECONDS + wait_s))
  while sleep 0.5; do
    s=$(node_state)
    # Idle, as this cluster's own daemons say: an answer from another controller on the same
    # port would not do (both must still run).
    if [ "$s" = idle ] && [ -n "$(alive_pid slurmctld)" ] && [ -n "$(alive_pid slurmd)" ]; then
      break
    fi
    for name in slurmctld slurmd; do # a pid file (written once daemonized) of a process gone
      if [ -f "$state/$name.pid" ] && [ -z "$(alive_pid "$name")" ]; then
        fail_start "$name exited after starting (a port taken? see its log above)"
      fi
    done
    [ "$SECONDS" -lt "$deadline" ] ||
      fail_start "the node is not idle after ${wait_s} s (sinfo: '${s:-no answer}')"
  done
  # A daemon that died while the node looked idle (its port was another's): not a success.
  sleep 1
  for name in slurmctld slurmd; do
    [ -n "$(alive_pid "$name")" ] || fail_start "$name is not running (a port taken? see its log above)"
  done
  say "running: slurmctld $(alive_pid slurmctld), slurmd $(alive_pid slurmd) (ports $port, $((port + 1)), state $state); partitions cpu, alt (no default)"
  echo "export SLURM_CONF=$conf"
}

stop_cluster() {
  [ -d "$state" ] || { say "nothing to stop ($state does not exist)"; return 0; }
  if [ -n "$(alive_pid slurmctld)" ]; then
    # Jobs first, so that no job step outlives the daemons.
    local jobs i
    jobs=$(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086  # job ids
      SLURM_CONF=$conf scancel $jobs 2>/dev/null || true
      for ((i = 0; i < wait_s * 2; i++)); do
        [ -z "$(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null)" ] && break
        sleep 0.5
      done
    fi
  fi
  stop_pid slurmd
  stop_pid slurmctld
  # munged only when this script started it, and no other cluster (another state directory, a
  # test run beside this one) still has a controller that needs it.
  if pgrep -x slurmctld >/dev/null 2>&1; then
    [ -z "$(alive_pid munged)" ] || say "munged left running: another slurmctld still uses it"
    rm -f "$state/munged.pid"
  else
    stop_pid munged
  fi
}

status_cluster() {
  local name pid up=0
  for name in munged slurmctld slurmd; do
    pid=$(alive_pid "$name")
    if [ -n "$pid" ]; then
      echo "$name: running ($pid)"
    elif [ "$name" = munged ] && munge_works; then
      echo "munged: running (not started by this script)"
    else
      echo "$name: not running"
      up=1
    fi
  done
  if [ "$up" -eq 0 ]; then
    echo "node: $(node_state)"
    echo "export SLURM_CONF=$conf"
  fi
  return "$up"
}

case "${1:-}" in
  start) start_cluster ;;
  stop) stop_cluster ;;
  status) status_cluster ;;
  *) die "usage: scripts/slurm/local_cluster.sh start|stop|status" 2 ;;
esac
