// Keys into one entry of `activations`: activations.LABEL.PATH sets that entry's parameter
// (activations.LeakyReLU.negative_slope=0.2, activations.Swish-β.params.beta.init=2), and with
// several values -- KEY=a,b on the command line or KEY: [a, b] under `sweep:` -- the entry becomes
// one entry per value, labelled LABEL(PATH=value), compared with the rest like any activation
// (a swept point would repeat every other activation's runs unchanged).
#pragma once

#include <string>
#include <vector>

#include "config/tree.h"

namespace actbench {

// True for "activations.<label>..." keys.
bool is_activation_entry_key(const std::string& key);

// Sets (one value) or expands (several) the entry of tree["activations"] that `key` names; the
// values are checked when the config is read (as every activation entry is). InputError when no
// entry has that label, two do, or the key names no parameter.
void set_activation_entry(Json& tree, const std::string& key, const std::vector<Json>& values,
                          const std::string& origin, Sources& sources);

}  // namespace actbench
