#!/bin/sh
# The container's entry point: turns ARCHIPELAGO_* environment variables into the options of
# `archipelago node` and execs java (so SIGTERM reaches the JVM, which drains the node, leaves the
# cluster and exits with 143). Arguments given to the container are appended to the options.
#
#   variable                        option / effect                         default
#   ARCHIPELAGO_ROLES (required)    --roles evaluator|latency|controller|gateway|none, comma-separated
#   ARCHIPELAGO_EVALUATOR           --evaluator KIND (tabular, teg, ...)    the node's (tabular)
#   ARCHIPELAGO_SLOTS               --slots N (N > 0)                       the node's (2)
#   ARCHIPELAGO_EVAL_TIME           --eval-time DIST                        none
#   ARCHIPELAGO_HOST                --host ADDRESS                          $POD_IP, else `hostname -i`
#   ARCHIPELAGO_PORT                --port PORT (Artery, cluster remoting)  2551
#   ARCHIPELAGO_TRANSPORT           --transport aeron-udp|tcp|tls-tcp       the node's (tcp)
#   ARCHIPELAGO_SEED_NODES          --seed-nodes HOST:PORT[,...]            none
#   ARCHIPELAGO_DISCOVERY           --discovery seed-nodes|kubernetes-api   the node's (seed-nodes)
#   ARCHIPELAGO_DISCOVERY_SERVICE   --discovery-service NAME (pods labelled app=NAME; kubernetes-api)
#   ARCHIPELAGO_MANAGEMENT          --management [HOST:]PORT (a bare PORT: 0.0.0.0:PORT)  off
#   ARCHIPELAGO_JOURNAL_URL         --journal jdbc:... (controller role)    none
#   ARCHIPELAGO_CLUSTER_CONFIG      --cluster-config FILE                   none
#   ARCHIPELAGO_WORKER_PORT         --worker-port [HOST:]PORT (gateway role)
#   ARCHIPELAGO_WORKER_TOKEN_FILE   --worker-token-file FILE (else the node reads ARCHIPELAGO_WORKER_TOKEN)
#   ARCHIPELAGO_WORKER_TOKEN        read by the node itself: the gateway's token
#   ARCHIPELAGO_JAR                 the shaded jar                          /opt/archipelago/archipelago.jar
#   JAVA_OPTS                       JVM options (split on blanks)           -XX:MaxRAMPercentage=50
#   POD_IP                          the pod's address (Kubernetes downward API), the default host
#   OMP_WAIT_POLICY                 OpenMP threads of ND4J's native code    PASSIVE (idle threads sleep)
#   OMP_NUM_THREADS                 read by ND4J: threads per operation     all cores the JVM sees
#
# A blank or malformed value exits with 2 and one line on stderr, before java starts.
set -eu

KNOWN_ROLES="controller evaluator gateway latency none"
KNOWN_TRANSPORTS="aeron-udp tcp tls-tcp"
KNOWN_DISCOVERY="kubernetes-api seed-nodes"
DEFAULT_PORT=2551
DEFAULT_JAR=/opt/archipelago/archipelago.jar
DEFAULT_JAVA_OPTS="-XX:MaxRAMPercentage=50"

fail() {
  echo "entrypoint: $*" >&2
  exit 2
}

# set_but_blank NAME: true when NAME is set to an empty or blank value.
set_but_blank() {
  eval "_set=\${$1+x} _value=\${$1-}"
  [ "$_set" = x ] && [ -z "$(printf '%s' "$_value" | tr -d ' \t')" ]
}

for name in ARCHIPELAGO_ROLES ARCHIPELAGO_EVALUATOR ARCHIPELAGO_SLOTS ARCHIPELAGO_EVAL_TIME ARCHIPELAGO_HOST \
    ARCHIPELAGO_PORT ARCHIPELAGO_TRANSPORT ARCHIPELAGO_SEED_NODES ARCHIPELAGO_DISCOVERY \
    ARCHIPELAGO_DISCOVERY_SERVICE ARCHIPELAGO_MANAGEMENT ARCHIPELAGO_JOURNAL_URL ARCHIPELAGO_CLUSTER_CONFIG \
    ARCHIPELAGO_WORKER_PORT ARCHIPELAGO_WORKER_TOKEN_FILE ARCHIPELAGO_JAR; do
  if set_but_blank "$name"; then
    fail "$name is set but blank"
  fi
done

is_port() {
  case "$1" in '' | *[!0-9]*) return 1 ;; esac
  [ "${#1}" -le 5 ] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}

# HOST:PORT or PORT, as --management and --worker-port take it.
check_host_port() {
  case "$2" in
    *:*) is_port "${2##*:}" && [ -n "${2%:*}" ] || fail "$1='$2' is not [HOST:]PORT" ;;
    *) is_port "$2" || fail "$1='$2' is not [HOST:]PORT" ;;
  esac
}

roles="${ARCHIPELAGO_ROLES:-}"
[ -n "$roles" ] || fail "ARCHIPELAGO_ROLES is required (comma-separated: ${KNOWN_ROLES})"
has_role() {
  case ",$roles," in *",$1,"*) return 0 ;; *) return 1 ;; esac
}
roles="$(printf '%s' "$roles" | tr -d ' \t')"
old_ifs="$IFS"
IFS=,
for role in $roles; do
  case " $KNOWN_ROLES " in
    *" $role "*) ;;
    *) IFS="$old_ifs"; fail "ARCHIPELAGO_ROLES: unknown role '$role' (known: ${KNOWN_ROLES})" ;;
  esac
done
IFS="$old_ifs"
case "$roles" in '' | ,* | *, | *,,*) fail "ARCHIPELAGO_ROLES='$roles' has an empty entry" ;; esac

if [ -n "${ARCHIPELAGO_SLOTS:-}" ]; then
  case "$ARCHIPELAGO_SLOTS" in
    *[!0-9]*) fail "ARCHIPELAGO_SLOTS='$ARCHIPELAGO_SLOTS' is not a positive integer" ;;
  esac
  [ "${#ARCHIPELAGO_SLOTS}" -le 6 ] && [ "$ARCHIPELAGO_SLOTS" -gt 0 ] ||
    fail "ARCHIPELAGO_SLOTS='$ARCHIPELAGO_SLOTS' is not a positive integer"
fi

port="${ARCHIPELAGO_PORT:-$DEFAULT_PORT}"
is_port "$port" || fail "ARCHIPELAGO_PORT='$port' is not a port number (1-65535)"

if [ -n "${ARCHIPELAGO_TRANSPORT:-}" ]; then
  case " $KNOWN_TRANSPORTS " in
    *" $ARCHIPELAGO_TRANSPORT "*) ;;
    *) fail "ARCHIPELAGO_TRANSPORT: unknown transport '$ARCHIPELAGO_TRANSPORT' (known: ${KNOWN_TRANSPORTS})" ;;
  esac
fi

host="${ARCHIPELAGO_HOST:-${POD_IP:-}}"
if [ -z "$host" ]; then
  host="$(hostname -i 2>/dev/null | awk '{print $1}')" || host=""
  [ -n "$host" ] || fail "ARCHIPELAGO_HOST is not set, nor POD_IP, and 'hostname -i' gives no address"
fi
case "$host" in *[[:space:]]* | *,*) fail "ARCHIPELAGO_HOST='$host' is not one address" ;; esac

if [ -n "${ARCHIPELAGO_SEED_NODES:-}" ]; then
  old_ifs="$IFS"
  IFS=,
  for seed in $ARCHIPELAGO_SEED_NODES; do
    case "$seed" in
      ?*:*) is_port "${seed##*:}" || { IFS="$old_ifs"; fail "ARCHIPELAGO_SEED_NODES: '$seed' is not HOST:PORT"; } ;;
      *) IFS="$old_ifs"; fail "ARCHIPELAGO_SEED_NODES: '$seed' is not HOST:PORT" ;;
    esac
  done
  IFS="$old_ifs"
fi

if [ -n "${ARCHIPELAGO_DISCOVERY:-}" ]; then
  case " $KNOWN_DISCOVERY " in
    *" $ARCHIPELAGO_DISCOVERY "*) ;;
    *) fail "ARCHIPELAGO_DISCOVERY: unknown method '$ARCHIPELAGO_DISCOVERY' (known: ${KNOWN_DISCOVERY})" ;;
  esac
fi
if [ "${ARCHIPELAGO_DISCOVERY:-}" = kubernetes-api ]; then
  [ -n "${ARCHIPELAGO_DISCOVERY_SERVICE:-}" ] ||
    fail "ARCHIPELAGO_DISCOVERY=kubernetes-api needs ARCHIPELAGO_DISCOVERY_SERVICE (the pods' app label)"
  [ -n "${ARCHIPELAGO_MANAGEMENT:-}" ] ||
    fail "ARCHIPELAGO_DISCOVERY=kubernetes-api needs ARCHIPELAGO_MANAGEMENT (Cluster Bootstrap talks through it)"
  [ -z "${ARCHIPELAGO_SEED_NODES:-}" ] ||
    fail "ARCHIPELAGO_DISCOVERY=kubernetes-api and ARCHIPELAGO_SEED_NODES exclude each other: set one"
elif [ -n "${ARCHIPELAGO_DISCOVERY_SERVICE:-}" ]; then
  fail "ARCHIPELAGO_DISCOVERY_SERVICE needs ARCHIPELAGO_DISCOVERY=kubernetes-api"
fi
if [ -n "${ARCHIPELAGO_DISCOVERY_SERVICE:-}" ]; then
  # A label value: the pods Kubernetes API discovery finds are those labelled app=NAME.
  case "$ARCHIPELAGO_DISCOVERY_SERVICE" in
    *[!A-Za-z0-9._-]* | [!A-Za-z0-9]* | *[!A-Za-z0-9]) fail "ARCHIPELAGO_DISCOVERY_SERVICE='$ARCHIPELAGO_DISCOVERY_SERVICE' is not a label value (letters, digits, '-', '_', '.')" ;;
  esac
fi

management=""
if [ -n "${ARCHIPELAGO_MANAGEMENT:-}" ]; then
  check_host_port ARCHIPELAGO_MANAGEMENT "$ARCHIPELAGO_MANAGEMENT"
  case "$ARCHIPELAGO_MANAGEMENT" in
    *:*) management="$ARCHIPELAGO_MANAGEMENT" ;;
    # Every interface: the kubelet's probes reach the pod's IP, kubectl port-forward its loopback; the
    # node advertises its --host (the pod IP) to Cluster Bootstrap.
    *) management="0.0.0.0:$ARCHIPELAGO_MANAGEMENT" ;;
  esac
fi

if [ -n "${ARCHIPELAGO_JOURNAL_URL:-}" ]; then
  case "$ARCHIPELAGO_JOURNAL_URL" in
    jdbc:?*) ;;
    *) fail "ARCHIPELAGO_JOURNAL_URL is not a JDBC URL (jdbc:postgresql://HOST:PORT/DB?user=...&password=...)" ;;
  esac
  has_role controller || fail "ARCHIPELAGO_JOURNAL_URL is for controller-role nodes (ARCHIPELAGO_ROLES=controller,...)"
fi

if [ -n "${ARCHIPELAGO_CLUSTER_CONFIG:-}" ] && [ ! -r "$ARCHIPELAGO_CLUSTER_CONFIG" ]; then
  fail "ARCHIPELAGO_CLUSTER_CONFIG=$ARCHIPELAGO_CLUSTER_CONFIG cannot be read"
fi

if [ -n "${ARCHIPELAGO_WORKER_PORT:-}" ]; then
  check_host_port ARCHIPELAGO_WORKER_PORT "$ARCHIPELAGO_WORKER_PORT"
  has_role gateway || fail "ARCHIPELAGO_WORKER_PORT opens a worker gateway: add gateway to ARCHIPELAGO_ROLES"
fi
if has_role gateway; then
  [ -n "${ARCHIPELAGO_WORKER_PORT:-}" ] || fail "the gateway role needs ARCHIPELAGO_WORKER_PORT"
  if [ -n "${ARCHIPELAGO_WORKER_TOKEN_FILE:-}" ]; then
    [ -r "$ARCHIPELAGO_WORKER_TOKEN_FILE" ] ||
      fail "ARCHIPELAGO_WORKER_TOKEN_FILE=$ARCHIPELAGO_WORKER_TOKEN_FILE cannot be read"
  elif [ -z "$(printf '%s' "${ARCHIPELAGO_WORKER_TOKEN:-}" | tr -d ' \t')" ]; then
    fail "the gateway role needs a token: ARCHIPELAGO_WORKER_TOKEN or ARCHIPELAGO_WORKER_TOKEN_FILE"
  fi
fi

jar="${ARCHIPELAGO_JAR:-$DEFAULT_JAR}"
[ -r "$jar" ] || fail "ARCHIPELAGO_JAR: no jar at $jar"

# ND4J's OpenMP threads sleep when idle instead of spinning on the slots' cores.
OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export OMP_WAIT_POLICY

# The node's options go after the arguments given to the container, which are then rotated to the end.
extra=$#
set -- "$@" node --roles "$roles" --host "$host" --port "$port"
[ -z "${ARCHIPELAGO_EVALUATOR:-}" ] || set -- "$@" --evaluator "$ARCHIPELAGO_EVALUATOR"
[ -z "${ARCHIPELAGO_SLOTS:-}" ] || set -- "$@" --slots "$ARCHIPELAGO_SLOTS"
[ -z "${ARCHIPELAGO_EVAL_TIME:-}" ] || set -- "$@" --eval-time "$ARCHIPELAGO_EVAL_TIME"
[ -z "${ARCHIPELAGO_TRANSPORT:-}" ] || set -- "$@" --transport "$ARCHIPELAGO_TRANSPORT"
[ -z "${ARCHIPELAGO_SEED_NODES:-}" ] || set -- "$@" --seed-nodes "$ARCHIPELAGO_SEED_NODES"
[ -z "${ARCHIPELAGO_DISCOVERY:-}" ] || set -- "$@" --discovery "$ARCHIPELAGO_DISCOVERY"
[ -z "${ARCHIPELAGO_DISCOVERY_SERVICE:-}" ] || set -- "$@" --discovery-service "$ARCHIPELAGO_DISCOVERY_SERVICE"
[ -z "$management" ] || set -- "$@" --management "$management"
[ -z "${ARCHIPELAGO_JOURNAL_URL:-}" ] || set -- "$@" --journal "$ARCHIPELAGO_JOURNAL_URL"
[ -z "${ARCHIPELAGO_CLUSTER_CONFIG:-}" ] || set -- "$@" --cluster-config "$ARCHIPELAGO_CLUSTER_CONFIG"
[ -z "${ARCHIPELAGO_WORKER_PORT:-}" ] || set -- "$@" --worker-port "$ARCHIPELAGO_WORKER_PORT"
[ -z "${ARCHIPELAGO_WORKER_TOKEN_FILE:-}" ] || set -- "$@" --worker-token-file "$ARCHIPELAGO_WORKER_TOKEN_FILE"
while [ "$extra" -gt 0 ]; do
  set -- "$@" "$1"
  shift
  extra=$((extra - 1))
done

# JavaCPP (ND4J) would otherwise force GCs once it holds off-heap memory; Aeron (the aeron-udp
# transport) needs NIO internals opened on Java 17. JAVA_OPTS is split on blanks on purpose, and
# not globbed (set -f).
set -f
# shellcheck disable=SC2086
exec java -Dorg.bytedeco.javacpp.maxPhysicalBytes=0 -Dorg.bytedeco.javacpp.maxBytes=0 \
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED \
  ${JAVA_OPTS-$DEFAULT_JAVA_OPTS} -jar "$jar" "$@"
