# Sourced by the run and test scripts: creates .venv and installs the project into it once per
# change of pyproject.toml (a stamp file remembers what was installed).
ensure_venv() {
  local extra="${1:-}"
  local python_bin
  python_bin="$(command -v python3.11 || command -v python3)"
  if [ ! -x .venv/bin/python ]; then
    echo "==> Creating the virtual environment (.venv) with $python_bin"
    "$python_bin" -m venv .venv
  fi
  local stamp=".venv/.argo-installed${extra:+-$extra}"
  local want
  want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
  # an install with the test extras includes everything the plain install needs
  if [ -z "$extra" ] && [ "$(cat .venv/.argo-installed-test 2>/dev/null)" = "$want" ]; then
    stamp=".venv/.argo-installed-test"
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> Installing Argo Docs${extra:+ with [$extra]} into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extra:+[$extra]}"
    echo "$want" > "$stamp"
  fi
  export PATH="$PWD/.venv/bin:$PATH"
}
