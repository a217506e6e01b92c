// Checks made before any run of a sweep trains: an activation that cannot train on the data is
// refused up front (exit 2), not found diverged hours later.
#pragma once

#include <string>

#include "config/config.h"
#include "data/dataset.h"

namespace actbench {

// For a formula activation (activations/formula.h): builds the run's initial model, passes the
// first training examples through it and refuses (InputError naming `run_name`, the layer, the
// input value and the constants) a value or derivative of the activation that is NaN or infinite
// on the pre-activations it meets there or anywhere between their least and greatest value.
// Built-in activations are finite everywhere and are not checked.
void check_activation_at_init(const Config& config, const ActivationSpec& activation,
                              const Dataset& data, const std::string& run_name);

// Whether check_activation_at_init checks `activation` (a formula) or passes it unchecked.
bool checked_at_init(const ActivationSpec& activation);

}  // namespace actbench
