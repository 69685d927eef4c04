#!/usr/bin/env bash
# The style guide, enforced: every C file is as clang-format (.clang-format
# at the root) would write it, and every file of labels/ and service/ opens
# with a comment saying what it owns.
suite=style
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
for file in labels/*.[ch] service/*.[ch] service/*/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c tests/bench/*.c; do
    [ -e "$file" ] || continue
    if clang-format --dry-run --Werror "$file" 2>/dev/null; then
        pass
    else
        fail "$file: not clang-format clean (run 'make format')"
    fi
    if head -n 1 "$file" | grep -q '^/\*'; then pass; else fail "$file: no opening comment"; fi
done
finish
