#!/usr/bin/env bash
# Fails if a dispatch object (compiled for one instruction set by actdsl_add_dispatch)
# defines a global or weak symbol that is not tagged with its xsimd architecture
# or is not a kernel table: the linker could pick that copy for baseline callers.
# A plan's constexpr index tables (root_slot, guard_of) are data, the same in every
# object, and may be shared.
# Usage: check_dispatch_objects.sh <object file>...
set -euo pipefail
status=0
for obj in "$@"; do
    bad=$(nm --defined-only "$obj" | awk '$2 ~ /^[TWVuDBR]$/' | cut -d' ' -f3- |
          grep -v -E '8avx512bw|4fma3IN[A-Za-z0-9_]*4avx2E|6sse4_2|kernel_table|root_slot|guard_of|^DW\.ref\.__gxx_personality_v0$' || true)
    if [ -n "$bad" ]; then
        echo "$obj defines untagged symbols:"
        echo "$bad" | cut -c1-300
        status=1
    else
        echo "$obj: $(nm --defined-only "$obj" | wc -l) symbols, all tagged"
    fi
done
exit $status
