#!/usr/bin/env bash
# One command to try Argo Docs: installs it into .venv, starts the embedded PostgreSQL (unless
# DATABASE_URL is set), migrates, loads the demo organisation and serves the app at
# http://127.0.0.1:8000 together with a background worker (log: var/log/worker.log). Ctrl+C
# stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv

export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
export DJANGO_SETTINGS_MODULE=argo_docs.settings.base
PORT="${PORT:-8000}"
if (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null; then
  echo "Port ${PORT} is already in use (is Argo Docs already running?). Stop it or set PORT=8001." >&2
  exit 1
fi

echo "==> Preparing the database${DATABASE_URL:+ at DATABASE_URL} (embedded PostgreSQL in var/pgdata when DATABASE_URL is unset)"
python manage.py migrate --noinput
mkdir -p var/log
worker_pid=""
server_pid=""
stop_all() {
  trap - EXIT INT TERM
  # runserver's reloader runs the server in a child process: stop the child, then the parent
  if [ -n "$server_pid" ]; then pkill -TERM -P "$server_pid" 2>/dev/null || true; fi
  for pid in $server_pid $worker_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -z "${DATABASE_URL:-}" ]; then python -m argo_docs.embedded_db stop || true; fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM
python manage.py qcluster >> var/log/worker.log 2>&1 &
worker_pid=$!
echo "==> Background worker started; its log (and, in development, the emails it sends) is in var/log/worker.log"

python manage.py demo_data
echo "==> Argo Docs: http://127.0.0.1:${PORT}/ (log in with a demo login above)"
python manage.py runserver "127.0.0.1:${PORT}" &
server_pid=$!
wait "$server_pid"
