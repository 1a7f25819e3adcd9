#!/usr/bin/env bash
# Installs what the Python worker client (clients/python) needs, from Debian 12 only (idempotent).
#
#   python3-grpcio          grpc runtime (1.51)
#   python3-protobuf        protobuf runtime (3.21): the committed stubs are generated for it
#   protobuf-compiler       protoc, only to regenerate the stubs (clients/python/generate.sh)
#   protobuf-compiler-grpc  grpc_python_plugin, likewise
#
# Debian's packages are seen by /usr/bin/python3 only (not by a pyenv or venv python).
# Uses sudo for apt-get only when not run as root. Safe to run again: nothing is installed when
# the packages are already there.
set -euo pipefail

PKGS=(python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-python-worker: need root for '$*' and sudo is not available;" \
         "run this script as root or install: ${PKGS[*]}" >&2
    exit 1
  fi
}

missing=()
for pkg in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "Python worker packages already installed: ${PKGS[*]}"
else
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-python-worker: apt-get not found; install Debian's ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing ${missing[*]} with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y --no-install-recommends "${missing[@]}"; then
    # the package lists may be stale or absent (fresh container): refresh once and retry
    as_root apt-get update
    as_root apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

/usr/bin/python3 -c 'import grpc, google.protobuf; print("grpcio", grpc.__version__, "/ protobuf", google.protobuf.__version__, "for /usr/bin/python3")'
echo "protoc: $(protoc --version)  grpc_python_plugin: $(command -v grpc_python_plugin)"
echo "Run a worker with: cd clients/python && /usr/bin/python3 -m archipelago_worker --help"
