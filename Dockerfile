# The aiospo-ci GitHub Action (and the aiospo-ci-docker pre-commit hook): aiospo-ci with every
# dependency from a hash-locked file, and a real OPA binary so the policies are evaluated by OPA.
# GitHub's rules for container actions: FROM first, no USER (the action must write
# /github/workspace as root; files it writes there are given to the workspace's owner), no
# WORKDIR (GitHub mounts the workspace and sets it).
# Digests pin the exact images; bump version and digest together. Build and smoke-test with
# scripts/image.sh; releases publish the image and pin its digest in action.yml.
FROM python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AIOSPO_OPA_BIN=/usr/local/bin/opa

# git: the Action reads the pull request's head commit and its changes from the checkout.
# tini: PID 1 that forwards a cancelled job's SIGTERM and reaps the OPA child, so a
# cancellation stops the job at once. The Debian packages come from the release the pinned
# base image was built on.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git tini \
    && rm -rf /var/lib/apt/lists/*

# The static OPA build (no glibc dependency). aiospo-ci starts it as `opa run --server
# --disable-telemetry --addr 127.0.0.1:<free port>` and uploads the policies over its REST API.
COPY --from=openpolicyagent/opa:1.18.2-static@sha256:57f7d06808fff6de3ea1d698e6430990973ca1370be0e54975f0083d615521da /opa /usr/local/bin/opa

# Dependencies first (a layer that changes only with the lock): wheels only, each checked
# against the hashes in docker/requirements.lock (scripts/image.sh lock writes it).
COPY docker/requirements.lock /opt/aiospo-ci/docker/requirements.lock
RUN pip install --no-cache-dir --require-hashes --only-binary=:all: --no-deps -r /opt/aiospo-ci/docker/requirements.lock

# aiospo-ci itself, built with the locked setuptools and nothing fetched.
COPY pyproject.toml README.md /opt/aiospo-ci/
COPY aiospo_ci /opt/aiospo-ci/aiospo_ci
COPY rego /opt/aiospo-ci/rego
RUN pip install --no-cache-dir --no-deps --no-build-isolation --no-index /opt/aiospo-ci \
    && rm -rf /opt/aiospo-ci \
    && pip check \
    && opa version \
    && aiospo-ci --version

ENTRYPOINT ["/usr/bin/tini", "--", "aiospo-ci-action"]
