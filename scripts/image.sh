#!/usr/bin/env bash
# The Action's image: lock its requirements, build it, smoke-test it.
#
#   scripts/image.sh lock    regenerate docker/requirements.lock (needs uv: pip install uv)
#   scripts/image.sh build   docker build the image as $IMAGE (default aiospo-ci:local)
#   scripts/image.sh smoke   run $IMAGE the way GitHub runs a container action, on examples/demo
#
# build and smoke need a Docker engine; the release workflow (.github/workflows/release-image.yml)
# runs them before it pushes the image and pins its digest into action.yml.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE="${IMAGE:-aiospo-ci:local}"

fail() { echo "image smoke test: $*" >&2; exit 1; }

case "${1:-}" in
lock)
  # Wheels only, for the image's Python and glibc (python:3.12-slim is Debian 12, glibc 2.36);
  # every file's hash, so `pip install --require-hashes` refuses anything else.
  uv pip compile pyproject.toml docker/build-requirements.in --generate-hashes --no-header \
    --python-version 3.12 --python-platform x86_64-manylinux_2_36 --only-binary :all: \
    --output-file docker/requirements.lock
  ;;
build)
  docker build --pull --tag "$IMAGE" .
  ;;
smoke)
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/workspace" "$work/files"
  cp -R examples/demo/. "$work/workspace/"
  git -C "$work/workspace" init -q
  git -C "$work/workspace" add -A
  git -C "$work/workspace" -c user.name=smoke -c user.email=smoke@example.com commit -q -m demo
  echo '{"inputs": {}}' > "$work/files/event.json"
  # GitHub mounts the workspace and the file-command folder and runs the image's entrypoint.
  set +e
  docker run --rm \
    --volume "$work/workspace:/github/workspace" --volume "$work/files:/github/file_commands" \
    --env GITHUB_ACTIONS=true --env GITHUB_WORKSPACE=/github/workspace \
    --env GITHUB_EVENT_NAME=workflow_dispatch --env GITHUB_EVENT_PATH=/github/file_commands/event.json \
    --env GITHUB_OUTPUT=/github/file_commands/output --env GITHUB_STEP_SUMMARY=/github/file_commands/summary \
    --env INPUT_OFFLINE=true --env INPUT_ANNOTATIONS=commands --env INPUT_COMMENT=never \
    --env INPUT_FAIL_ON=deny --env INPUT_SARIF_FILE=reports/aiospo-ci.sarif --env AIOSPO_TODAY=2026-11-26 \
    "$IMAGE" > "$work/log" 2>&1
  code=$?
  set -e
  cat "$work/log"
  [ "$code" = 1 ] || fail "expected exit 1 (the demo has denied models), got $code"
  grep -q '^deny_count<<' "$work/files/output" || fail "no deny_count output"
  grep -q 'aiospo-ci' "$work/files/summary" || fail "no job summary"
  owner="$(stat -c %u "$work/workspace")"
  for path in reports reports/aiospo-ci.sarif; do
    [ "$(stat -c %u "$work/workspace/$path")" = "$owner" ] || fail "$path is not owned by the workspace's owner"
  done
  entrypoint="$(docker inspect --format '{{json .Config.Entrypoint}}' "$IMAGE")"
  [ "$entrypoint" = '["/usr/bin/tini","--","aiospo-ci-action"]' ] || fail "entrypoint $entrypoint does not run under tini"
  docker run --rm --entrypoint opa "$IMAGE" version > /dev/null || fail "no opa binary"
  echo "image smoke test: $IMAGE passed"
  ;;
*)
  echo "usage: scripts/image.sh lock|build|smoke" >&2
  exit 2
  ;;
esac
