#include <torch/version.h>

#include "cli/subcommands.h"
#include "train/device.h"

namespace actbench::cli {

std::string version_text() {
  return std::string("actbench ") + ACTBENCH_VERSION + "\nLibTorch " + TORCH_VERSION +
         "\ndevices: " + describe_devices() + "\n";
}

}  // namespace actbench::cli
