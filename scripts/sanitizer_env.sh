# Sourced by scripts/test.sh --sanitize and scripts/fuzz.sh: how AddressSanitizer, LeakSanitizer
# and UndefinedBehaviorSanitizer report. Every report stops the process with an error (so a test
# fails); the suppressions in tests/sanitizers/ cover LibTorch's own code only (each explained
# there). Child processes (the tests run the instrumented actbench binary) inherit these.
sanitizer_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/sanitizers"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:detect_stack_use_after_return=0:suppressions=$sanitizer_dir/asan.supp"
export LSAN_OPTIONS="suppressions=$sanitizer_dir/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$sanitizer_dir/ubsan.supp"
unset sanitizer_dir
