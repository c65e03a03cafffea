#!/usr/bin/env bash
# One command to try Argo Docs: installs it into .venv, starts the embedded PostgreSQL (unless
# DATABASE_URL is set), migrates, loads the demo organisation and serves the app at
# http://127.0.0.1:${PORT:-8000} together with a background worker (log: var/log/worker.log).
# Ctrl+C (or TERM) stops everything within seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv

export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
export DJANGO_SETTINGS_MODULE=argo_docs.settings.base
# exported: the settings build SITE_URL (links in emails and calendar feeds) from it
export PORT="${PORT:-8000}"
var_dir="${ARGO_VAR_DIR:-var}"
if (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null; then
  echo "Port ${PORT} is already in use (is Argo Docs already running?). Stop it or set PORT=8001." >&2
  exit 1
fi

echo "==> Preparing the database${DATABASE_URL:+ at DATABASE_URL} (embedded PostgreSQL in ${var_dir}/pgdata when DATABASE_URL is unset)"
python manage.py migrate --noinput
mkdir -p "${var_dir}/log"
worker_pid=""
server_pid=""
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
stop_all() {
  # a second Ctrl+C must not cut the clean-up short
  trap '' INT TERM
  trap - EXIT
  # runserver's reloader runs the server in a child process: stop the child, then the parent
  if [ -n "$server_pid" ]; then pkill -TERM -P "$server_pid" 2>/dev/null || true; fi
  for pid in $server_pid $worker_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  # The worker finishes the task in hand; one stuck longer than 10 s is killed with its whole
  # process group (the queue hands an unfinished task out again after Q_CLUSTER["retry"]).
  for _ in $(seq 100); do
    alive "$worker_pid" || alive "$server_pid" || break
    sleep 0.1
  done
  if alive "$worker_pid"; then
    echo "==> The background worker did not stop in 10 s; killing it" >&2
    kill -KILL -- "-$worker_pid" 2>/dev/null || true
  fi
  if alive "$server_pid"; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [ -z "${DATABASE_URL:-}" ]; then python -m argo_docs.embedded_db stop || true; fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM
# The worker runs in a session of its own, so a Ctrl+C in the terminal or a TERM sent to this
# script's process group reaches only its main process, once, from stop_all. django-q2's sentinel
# and its workers keep the default action for TERM: a group-wide TERM killed the sentinel while
# it slept on the cluster's stop event, and the main process then waited forever inside that
# event's set() (a futex wait after «Остановка кластера Q»). Two signals in a row (Ctrl+C, then
# this script's TERM) could also re-enter that non-reentrant set() from the signal handler.
setsid python manage.py qcluster >> "${var_dir}/log/worker.log" 2>&1 &
worker_pid=$!
echo "==> Background worker started; its log (and, in development, the emails it sends) is in ${var_dir}/log/worker.log"

python manage.py demo_data
echo "==> Argo Docs: http://127.0.0.1:${PORT}/ (log in with a demo login above)"
python manage.py runserver "127.0.0.1:${PORT}" &
server_pid=$!
wait "$server_pid"
