// Function multiversioning for the hand-written CPU loops: the loader picks the widest clone the
// CPU supports (GCC on x86-64; elsewhere one version). Every clone rounds as the scalar code does
// (the loops are compiled with -ffp-contract=off: no fused multiply-add).
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ACTBENCH_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define ACTBENCH_CLONES
#endif
