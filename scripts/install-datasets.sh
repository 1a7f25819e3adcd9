#!/usr/bin/env bash
# Installs the image data sets that Archipelago's models module reads (idempotent).
#
#   Fashion-MNIST: Debian's dataset-fashion-mnist package, files under
#                  /usr/share/datasets/fashion-mnist (t10k-images-idx3-ubyte.gz, ...).
#
# Uses sudo for apt-get only when not run as root. Safe to run again: nothing happens when
# the files are already there.
set -euo pipefail

FMNIST_DIR=/usr/share/datasets/fashion-mnist
FMNIST_PKG=dataset-fashion-mnist
MARKER="$FMNIST_DIR/t10k-images-idx3-ubyte.gz"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-datasets: need root for '$*' and sudo is not available" >&2
    exit 1
  fi
}

if [ -f "$MARKER" ]; then
  echo "Fashion-MNIST already installed."
else
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-datasets: apt-get not found; install Debian's $FMNIST_PKG package or copy" \
         "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz into $FMNIST_DIR" >&2
    exit 1
  fi
  echo "Installing $FMNIST_PKG with apt-get ..."
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y --no-install-recommends "$FMNIST_PKG"; then
    # the package lists may be stale or absent (fresh container): refresh once and retry
    as_root apt-get update
    as_root apt-get install -y --no-install-recommends "$FMNIST_PKG"
  fi
  if [ ! -f "$MARKER" ]; then
    echo "install-datasets: $FMNIST_PKG installed but $MARKER is missing" >&2
    exit 1
  fi
fi

echo "Fashion-MNIST files in $FMNIST_DIR:"
ls -l "$FMNIST_DIR"
echo "Use data set spec 'fashion-mnist' (this directory) or 'fashion-mnist:DIR'."
