#!/usr/bin/env bash
# Builds the collector's image and checks it for real: startup output, health check, a signed event,
# the demo app, a graceful stop (exit code 0 after the drain), and the data surviving a new container
# on the same volume. A maintainer runs it before a release; CI does not (no container engine there).
#
#   ./mvnw -B -q package -DskipTests        # the image packages eye-collector/target/eye-collector.jar
#   scripts/container-smoke.sh              # ENGINE=docker for Docker; PORT, IMAGE, NAME, VOLUME to taste
#   SKIP_BUILD=1 IMAGE=the-eye-multistage scripts/container-smoke.sh   # check an image built elsewhere
#
# Needs: podman or docker, curl, openssl; java for the demo step (skipped without it); sqlite3 on the
# host for the volume check (skipped without it). Exit code 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE=${ENGINE:-podman}
IMAGE=${IMAGE:-the-eye}
NAME=${NAME:-eye-smoke}
VOLUME=${VOLUME:-eye-smoke-data}
PORT=${PORT:-18080}
if [[ $ENGINE == podman ]]; then BUILD_FLAGS=${BUILD_FLAGS:---pull=never}; else BUILD_FLAGS=${BUILD_FLAGS:-}; fi

JAR=eye-collector/target/eye-collector.jar
DEMO_JAR=examples/target/eye-demo.jar
SECRET=$(openssl rand -hex 32)
APP="smoke:smoke-key:$SECRET"
EVENT_ID="smoke-$(openssl rand -hex 8)"
WORK=$(mktemp -d)
failures=0

step() { printf '\n== %s\n' "$*"; }
pass() { printf 'PASS %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; failures=$((failures + 1)); }
show() { printf '$ %s\n' "$*"; "$@"; }

cleanup() {
  "$ENGINE" rm -f "$NAME" "$NAME-2" "$NAME-3" >/dev/null 2>&1 || true
  [[ ${KEEP_VOLUME:-0} == 1 ]] || "$ENGINE" volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Waits for the "listening on" line of a container's standard output.
await_listening() {
  for _ in $(seq 1 120); do
    if "$ENGINE" logs "$1" 2>/dev/null | grep -q '^listening on '; then return 0; fi
    if [[ $("$ENGINE" inspect "$1" --format '{{.State.Running}}') != true ]]; then break; fi
    sleep 0.5
  done
  "$ENGINE" logs "$1" || true
  return 1
}

# Posts body file $1 signed with the smoke key; prints the HTTP status and body.
post_signed() {
  local t sig
  t=$(date +%s)
  sig=$(printf '%s.' "$t" | cat - "$1" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.*= //')
  curl -sS -w ' %{http_code}' "http://127.0.0.1:$PORT/v1/events" \
    -H 'Content-Type: application/json' -H 'X-Eye-Key-Id: smoke-key' -H "X-Eye-Signature: t=$t,v1=$sig" \
    --data-binary @"$1"
}

run_container() {
  printf '$ %s run -d --name %s -p %s:8080 -v %s:/data -e EYE_APP_SMOKE=smoke:smoke-key:<secret> %s\n' \
    "$ENGINE" "$1" "$PORT" "$VOLUME" "$IMAGE"
  "$ENGINE" run -d --name "$1" -p "$PORT:8080" -v "$VOLUME:/data" -e EYE_APP_SMOKE="$APP" "$IMAGE" >/dev/null
}

stop_and_check() {
  local started stopped code
  started=$(date +%s%N)
  show "$ENGINE" stop -t 20 "$1"
  stopped=$(date +%s%N)
  code=$("$ENGINE" inspect "$1" --format '{{.State.ExitCode}}')
  printf 'stopped in %d ms, exit code %s\n' "$(( (stopped - started) / 1000000 ))" "$code"
  "$ENGINE" logs "$1" 2>&1 | grep -E 'stopping:|stopped:' || true
  [[ $code == 0 ]] && pass "$1 exited 0 after SIGTERM" || fail "$1 exit code $code (expected 0)"
  "$ENGINE" logs "$1" 2>&1 | grep -q 'stopped: everything queued was committed' \
    && pass "$1 logged the graceful drain" || fail "$1 did not log the graceful drain"
}

[[ ${SKIP_BUILD:-0} == 1 || -f $JAR ]] || { echo "$JAR is missing: run ./mvnw -B -q package -DskipTests first" >&2; exit 2; }
date -u '+%Y-%m-%d %H:%M:%S UTC'
"$ENGINE" --version

step "build the image"
"$ENGINE" rm -f "$NAME" "$NAME-2" "$NAME-3" >/dev/null 2>&1 || true
"$ENGINE" volume rm -f "$VOLUME" >/dev/null 2>&1 || true
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  # shellcheck disable=SC2086
  show "$ENGINE" build $BUILD_FLAGS -q -t "$IMAGE" .
fi
"$ENGINE" image inspect "$IMAGE" --format 'user={{.Config.User}} entrypoint={{.Config.Entrypoint}} ports={{.Config.ExposedPorts}} stop={{.Config.StopSignal}} size={{.Size}}'

step "run it with one application key from the environment"
run_container "$NAME"
await_listening "$NAME" && pass "listening" || fail "the collector did not start"
"$ENGINE" logs "$NAME" 2>/dev/null
"$ENGINE" logs "$NAME" 2>&1 | grep -q "$SECRET" && fail "the secret appears in the output" || pass "the secret is not in the output"
"$ENGINE" exec "$NAME" id

step "health check"
if show "$ENGINE" healthcheck run "$NAME" 2>/dev/null || [[ $ENGINE == docker ]]; then
  pass "healthcheck run: healthy"
else
  fail "healthcheck run: unhealthy"
fi
# The check must be able to fail: the same probe against a port nothing listens on.
if "$ENGINE" exec "$NAME" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2>/dev/null; then
  fail "the probe succeeded against a closed port"
else
  pass "the probe fails against a closed port"
fi
show curl -sS "http://127.0.0.1:$PORT/ready"; echo

step "a signed event, with curl and openssl"
printf '{"events":[{"event_id":"%s","session_id":"smoke-session","category":"page interaction","name":"pageview","timestamp":"%s","data":{"host":"www.ca.com","path":"/",}}]}' \
  "$EVENT_ID" "$(date -u '+%Y-%m-%d %H:%M:%S.%6N')" > "$WORK/body.json"
answer=$(post_signed "$WORK/body.json"); echo "$answer"
[[ $answer == *'"accepted":1'*' 202' ]] && pass "202 accepted" || fail "unexpected answer"
printf '{"session_id":"smoke-session","category":"page interaction","name":"pageview","timestamp":"2999-01-01 00:00:00","data":{"host":"www.ca.com","path":7}}' > "$WORK/bad.json"
answer=$(post_signed "$WORK/bad.json"); echo "$answer"
[[ $answer == *'"rejected":1'*' 202' ]] && pass "a bad event is acknowledged as rejected" || fail "unexpected answer"

if command -v java >/dev/null && [[ -f $DEMO_JAR ]]; then
  step "the demo app against the container"
  java -jar "$DEMO_JAR" --endpoint "http://127.0.0.1:$PORT" --app "$APP" --rate 100 --duration 3s \
    | sed -n '/^What the collector/,/not delivered/p;/^Every tracked/p' \
    && pass "demo: every event acknowledged" || fail "demo"
fi
curl -sS "http://127.0.0.1:$PORT/metrics" | grep -E '^eye_events_(accepted|rejected)_total' || true

step "graceful stop (SIGTERM)"
stop_and_check "$NAME"

step "a new container on the same volume"
run_container "$NAME-2"
await_listening "$NAME-2" && pass "listening again" || fail "the collector did not restart"
answer=$(post_signed "$WORK/body.json"); echo "$answer"
[[ $answer == *'"duplicates":1'*' 202' ]] && pass "the event stored before the restart is still there (a duplicate now)" \
  || fail "the event was not found after the restart"
stored_events() {
  if command -v sqlite3 >/dev/null && [[ $ENGINE == podman ]]; then
    sqlite3 -readonly "file:$("$ENGINE" volume inspect "$VOLUME" --format '{{.Mountpoint}}')/eye.db?mode=ro" \
      "SELECT count(*) FROM events"
  fi
}
if [[ -n $(stored_events) ]]; then
  show sqlite3 -readonly -header -column \
    "file:$("$ENGINE" volume inspect "$VOLUME" --format '{{.Mountpoint}}')/eye.db?mode=ro" \
    "SELECT app_id, count(*) AS events FROM events GROUP BY app_id" \
    "SELECT reason, count(*) AS rejected FROM rejected_events GROUP BY reason"
fi

if command -v java >/dev/null && [[ -f $DEMO_JAR ]]; then
  step "SIGTERM under load: stop and replace the container while the demo sends"
  before=$(stored_events)
  java -jar "$DEMO_JAR" --endpoint "http://127.0.0.1:$PORT" --app "$APP" --rate 300 --duration 8s \
    --journal "$WORK/journal.jsonl" > "$WORK/demo.out" 2>&1 &
  demo=$!
  for _ in $(seq 1 100); do [[ -s $WORK/journal.jsonl ]] && break; sleep 0.1; done
  sleep 2
  stop_and_check "$NAME-2"
  run_container "$NAME-3"
  await_listening "$NAME-3" && pass "a new container took over" || fail "the collector did not restart"
  if wait "$demo"; then pass "demo: every event acknowledged across the restart"; else fail "demo: not everything delivered"; fi
  sed -n '/^What the collector/,/not delivered/p' "$WORK/demo.out"
  if [[ -n $before ]]; then
    expected=$((before + $(grep -c '"expect":"stored"' "$WORK/journal.jsonl")))
    after=$(stored_events)
    echo "events stored: $before before, $after after, $expected expected"
    [[ $after == "$expected" ]] && pass "every acknowledged event is stored exactly once" || fail "stored $after, expected $expected"
  fi
  stop_and_check "$NAME-3"
else
  stop_and_check "$NAME-2"
fi

printf '\n%s\n' "$([[ $failures == 0 ]] && echo 'ALL CHECKS PASSED' || echo "$failures CHECK(S) FAILED")"
exit $((failures > 0))
