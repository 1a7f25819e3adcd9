#!/usr/bin/env bash
# Installs what the Python worker client (clients/python) needs, from Debian 12 only (idempotent).
#
#   python3-grpcio          grpc runtime (1.51)
#   python3-protobuf        protobuf runtime (3.21): the committed stubs are generated for it
#   protobuf-compiler       protoc, only to regenerate the stubs (clients/python/generate.sh)
#   protobuf-compiler-grpc  grpc_python_plugin, likewise
#
# Debian's packages are seen by /usr/bin/python3 only (not by a pyenv or venv python).
# Safe to run again: nothing is installed when the packages are already there
# (scripts/install-debian-packages.sh).
set -euo pipefail

PKGS=(python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc)

"$(dirname "$0")/install-debian-packages.sh" install-python-worker "${PKGS[@]}"

/usr/bin/python3 -c 'import grpc, google.protobuf; print("grpcio", grpc.__version__, "/ protobuf", google.protobuf.__version__, "for /usr/bin/python3")'
echo "protoc: $(protoc --version)  grpc_python_plugin: $(command -v grpc_python_plugin)"
echo "Run a worker with: cd clients/python && /usr/bin/python3 -m archipelago_worker --help"
