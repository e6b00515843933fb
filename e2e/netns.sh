#!/usr/bin/env bash
# Runs a command inside a private network namespace (shared/PLATFORM.md recipe): only
# loopback and a veth pair made here, with a default route so browsers gather host
# candidates. Nothing inside can reach another host. Without the rights to make one it
# runs the command on this host's loopback, and says so.
set -euo pipefail
if [ "${MESH_NETNS:-}" = 1 ]; then
  exec "$@"
fi
if command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  exec unshare -n bash -c '
    set -e
    ip link set lo up
    ip link add v0 type veth peer name v1
    ip addr add 10.77.0.1/24 dev v0
    ip addr add 10.77.0.2/24 dev v1
    ip link set v0 up
    ip link set v1 up
    ip route add default dev v0
    export MESH_NETNS=1
    exec "$@"' _ "$@"
fi
echo "netns: cannot create a network namespace (needs root or user namespaces); running on this host's loopback" >&2
exec "$@"
