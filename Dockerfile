# The aiospo-ci GitHub Action (and the aiospo-ci-docker pre-commit hook): aiospo-ci installed
# from this repository, with a real OPA binary so the policies are evaluated by OPA itself.
# GitHub's rules for container actions: FROM first, no USER (the action must write
# /github/workspace as root), no WORKDIR (GitHub mounts the workspace and sets it).
# Digests pin the exact images; bump version and digest together.
FROM python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AIOSPO_OPA_BIN=/usr/local/bin/opa

# git: only_changed reads `git diff base...head` when the checkout has both commits
# (fetch-depth: 0); without it the action asks the pull request's files from the API.
# The Debian packages come from the release the pinned base image was built on.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/*

# The static OPA build (no glibc dependency). The entrypoint starts it as
# `opa run --server --addr 127.0.0.1:<free port>` and uploads the policies over its REST API.
COPY --from=openpolicyagent/opa:1.18.2-static@sha256:57f7d06808fff6de3ea1d698e6430990973ca1370be0e54975f0083d615521da /opa /usr/local/bin/opa

COPY pyproject.toml README.md /opt/aiospo-ci/
COPY aiospo_ci /opt/aiospo-ci/aiospo_ci
COPY rego /opt/aiospo-ci/rego
RUN pip install --no-cache-dir /opt/aiospo-ci \
    && rm -rf /opt/aiospo-ci \
    && opa version \
    && aiospo-ci --version

ENTRYPOINT ["aiospo-ci-action"]
