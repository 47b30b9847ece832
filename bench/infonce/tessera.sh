#!/usr/bin/env bash
# tessera side of bench/infonce (see bench/README.md): the release tessera-bench binary.
exec "$(dirname "$0")/../../target/release/tessera-bench" infonce "$@"
