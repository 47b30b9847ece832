#!/usr/bin/env bash
# tessera side of bench/spmm (see bench/README.md): the release tessera-bench binary.
exec "$(dirname "$0")/../../target/release/tessera-bench" spmm "$@"
