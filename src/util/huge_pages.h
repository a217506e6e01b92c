// Large, long-lived CPU buffers (the data set's pixels, its sparse rows, its scaled test inputs) in
// 2 MB pages where the kernel offers them (transparent huge pages in "madvise" mode, Debian's
// default). A buffer's first touch then costs one page fault per 2 MB instead of one per 4 KB:
// measured ~10 us a fault on this project's 2-core VM, 0.2 s for the 72 MB of MNIST's sparse rows.
#pragma once

#include <cstdint>

#include <torch/types.h>

namespace actbench {

// An uninitialised CPU tensor; in huge pages when it is large (>= 4 MB) and the system allows it,
// else from the usual allocator. Contiguous either way.
torch::Tensor empty_huge(at::IntArrayRef sizes, torch::ScalarType dtype);

}  // namespace actbench
