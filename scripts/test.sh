#!/usr/bin/env bash
# One command for the whole suite: installs test dependencies, Chromium, Dovecot (a real IMAP
# server for the mail intake tests) and Tesseract (file text recognition) when missing, then
# runs ruff, the migrations check and pytest (unit, integration and browser tests) on PostgreSQL:
# DATABASE_URL when set, else the embedded server in var/pgdata.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv test

if ! command -v chromium >/dev/null 2>&1; then
  echo "==> Installing Debian's chromium for the browser tests"
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo -n"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

if [ ! -x /usr/sbin/dovecot ]; then
  echo "==> Installing Debian's dovecot-imapd for the mail intake tests"
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo -n"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends dovecot-imapd >/dev/null
fi

if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx rus; then
  echo "==> Installing Debian's tesseract-ocr with the Russian model for the file text tests"
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo -n"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng >/dev/null
fi

export DJANGO_SETTINGS_MODULE=argo_docs.settings.test
echo "==> ruff"
ruff check .
ruff format --check .
echo "==> migrations are up to date"
python manage.py makemigrations --check --dry-run
echo "==> pytest"
python -m pytest -n 2 "$@"
