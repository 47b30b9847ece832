#!/usr/bin/env bash
# tessera side of bench/mlp-step (see bench/README.md): the release tessera-bench binary.
exec "$(dirname "$0")/../../target/release/tessera-bench" mlp-step "$@"
