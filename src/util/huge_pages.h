// Large, long-lived CPU buffers (the data set's pixels, its sparse rows, its scaled test inputs) in
// 2 MB pages where the kernel offers them (transparent huge pages in "madvise" mode, Debian's
// default). A buffer's first touch then costs one page fault per 2 MB instead of one per 4 KB:
// measured ~10 us a fault on this project's 2-core VM, 0.2 s for the 72 MB of MNIST's sparse rows.
// Data read from files is better not copied at all: map_file_bytes maps the page cache's copy.
#pragma once

#include <cstdint>
#include <string>

#include <torch/types.h>

namespace actbench {

// An uninitialised CPU tensor; in huge pages when it is large (>= 4 MB) and the system allows it,
// else from the usual allocator. Contiguous either way.
torch::Tensor empty_huge(at::IntArrayRef sizes, torch::ScalarType dtype);

// Bytes [offset, offset + rows * cols) of the file at `path` as a uint8 CPU tensor [rows, cols],
// mapped from the page cache (no copy, and none of the fresh memory a read needs: reading
// MNIST's 55 MB that way cost ~0.15 s of first touches here). Private: a write to the tensor
// copies the page, never reaches the file. An undefined tensor when the file cannot be mapped or
// is shorter (the caller reads it instead, and reports). A file replaced by rename (as
// scripts/fetch_data.sh does) leaves the mapping intact; one cut short in place while mapped ends
// the process with one line on stderr and exit code 2 (SIGBUS).
torch::Tensor map_file_bytes(const std::string& path, int64_t offset, int64_t rows, int64_t cols);

}  // namespace actbench
