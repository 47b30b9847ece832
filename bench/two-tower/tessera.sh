#!/usr/bin/env bash
# tessera side of bench/two-tower (see bench/README.md): the release tessera binary.
exec "$(dirname "$0")/../../target/release/tessera" --quiet contrastive bench-step "$@"
