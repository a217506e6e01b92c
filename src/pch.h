// Precompiled header: LibTorch's headers cost ~20 s per translation unit on two cores, so every
// target compiles them once. Files still include what they use; this only makes it cheap.
#pragma once

#include <torch/torch.h>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
