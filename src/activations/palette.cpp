#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "activations/registry.h"

// How every figure draws an activation (summary.json's `activations`): the registry entries'
// palette and the hashed styles of other labels. Only the looks; registry.cpp holds the entries.
namespace actbench {
namespace {

using Json = nlohmann::json;

// Colour, dash and marker per entry, in registry order, chosen to be told apart by people with
// colour-vision deficiencies, in grey scale and on white: the tutorial's four keep Okabe and Ito's
// blue, vermilion, green and orange; each next colour is the one of Okabe-Ito, Paul Tol's muted
// and bright schemes and Kelly's 22 colours of maximum contrast farthest (CIELAB distance) from
// those before it, leaving out colours lighter than L* 72 and those the hashed labels use. The
// first 16 are at least 27 Delta E apart, all 24 at least 15 (tests/unit/activations_test.cpp
// checks). Line styles cycle solid, dashed, dashdot, dotted and markers through twelve shapes, so
// no two entries share both (the tutorial's four differ in all three: ReLU is drawn solid with
// circles, LeakyReLU dotted with diamonds, and one no longer hides the other).
const std::vector<const char*> kColours{
    "#0072b2", "#d55e00", "#009e73", "#e69f00", "#aa3377", "#000000", "#8db600", "#332288",
    "#848482", "#be0032", "#f99379", "#654522", "#e68fac", "#999933", "#882d17", "#2b3d26",
    "#875692", "#56b4e9", "#228833", "#ee6677", "#555555", "#44aa99", "#f38400", "#aa4499"};

constexpr const char* kDashes[] = {"solid", "dashed", "dashdot", "dotted"};
constexpr size_t kDashCount = sizeof(kDashes) / sizeof(kDashes[0]);

// Markers cycle in registry order.
constexpr const char* kMarkers[] = {"o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p"};
constexpr size_t kMarkerCount = sizeof(kMarkers) / sizeof(kMarkers[0]);

// A colour for entries past the named palettes: hues a golden angle apart (never the same twice),
// at a saturation and value that stay readable on white.
std::string generated_colour(size_t i) {
  const double hue = std::fmod(double(i) * 137.50776405003785, 360.0) / 60.0;
  const double s = 0.65, v = 0.75, c = v * s;
  const double x = c * (1 - std::fabs(std::fmod(hue, 2.0) - 1));
  const int sector = int(hue) % 6;
  const double rgb[6][3] = {{c, x, 0}, {x, c, 0}, {0, c, x}, {0, x, c}, {x, 0, c}, {c, 0, x}};
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", int((rgb[sector][0] + v - c) * 255 + 0.5),
                int((rgb[sector][1] + v - c) * 255 + 0.5),
                int((rgb[sector][2] + v - c) * 255 + 0.5));
  return text;
}

}  // namespace

ActivationStyle palette_style(size_t index) {
  // The dash moves on by one each time the markers start over: (dash, marker) repeats only
  // after 48 entries, and the colour never does.
  const std::string colour = index < kColours.size() ? kColours[index] : generated_colour(index);
  return {colour, kDashes[(index + index / kMarkerCount) % kDashCount],
          kMarkers[index % kMarkerCount]};
}

std::array<double, 3> cielab(const std::string& hex) {
  double rgb[3];
  for (int i = 0; i < 3; ++i) {
    const double c = std::stoi(hex.substr(1 + 2 * size_t(i), 2), nullptr, 16) / 255.0;
    rgb[i] = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  }
  const double xyz[3] = {(0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2]) / 0.95047,
                         0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2],
                         (0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2]) / 1.08883};
  double f[3];
  for (int i = 0; i < 3; ++i)
    f[i] = xyz[i] > 0.008856 ? std::cbrt(xyz[i]) : 7.787 * xyz[i] + 16.0 / 116;
  return {116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])};
}

double colour_difference(const std::string& a, const std::string& b) {
  const auto la = cielab(a), lb = cielab(b);
  return std::hypot(la[0] - lb[0], la[1] - lb[1], la[2] - lb[2]);
}

namespace {

// Stable across processes and platforms (unlike std::hash): 64-bit FNV-1a of the label.
uint64_t label_hash(const std::string& label) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : label) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Paul Tol's vibrant and light schemes (colours no entry uses) and dash patterns no entry uses.
const std::vector<std::string>& hashed_colours() {
  static const std::vector<std::string> colours{"#ee7733", "#0077bb", "#33bbee", "#ee3377",
                                                "#cc3311", "#009988", "#77aadd", "#aaaa00",
                                                "#44bb99", "#bbcc33", "#ee8866", "#ffaabb"};
  return colours;
}
const std::vector<Json>& hashed_dashes() {
  static const std::vector<Json> dashes{Json{1, 1}, Json{5, 1}, Json{3, 1, 1, 1}, Json{6, 2, 2, 2}};
  return dashes;
}

// Below this CIE76 Delta E a reader cannot tell two thin lines apart on a page (#0072b2 and
// #0077bb are 3 apart).
constexpr double kNear = 12.0;

bool near_any(const std::string& colour, const std::vector<std::string>& others) {
  return std::any_of(others.begin(), others.end(),
                     [&](const std::string& o) { return colour_difference(colour, o) < kNear; });
}

bool keeps_entry_style(const ActivationSpec& spec, const ActivationInfo* info) {
  return info && spec.label == info->display;
}

// The hashed style `step` places after the label's own: the colour moves first, then the dash,
// then the marker (a formula's own from the start: its entry has no marker of its own).
ActivationStyle hashed_style(const ActivationSpec& spec, const ActivationInfo* info, size_t step) {
  const uint64_t h = label_hash(spec.label);
  const auto& colours = hashed_colours();
  const auto& dashes = hashed_dashes();
  const size_t nc = colours.size(), nd = dashes.size();
  const std::string& colour = colours[(h % nc + step) % nc];
  const Json& dash = dashes[((h / nc) % nd + step / nc) % nd];
  // A variant keeps its entry's marker until its colours and dashes are all taken.
  if (info && spec.name != "formula" && step < nc * nd) return {colour, dash, info->style.marker};
  return {colour, dash, kMarkers[(h / (nc * nd) + step / (nc * nd)) % kMarkerCount]};
}

}  // namespace

ActivationStyle activation_style(const ActivationSpec& spec) {
  const ActivationInfo* info = find_activation(spec.name);
  if (keeps_entry_style(spec, info)) return info->style;
  return hashed_style(spec, info, 0);
}

std::vector<ActivationStyle> distinct_styles(const std::vector<ActivationSpec>& specs) {
  std::vector<ActivationStyle> out(specs.size());
  std::vector<std::string> colours;
  std::set<std::pair<std::string, std::string>> lines;  // (dash, marker)
  const auto take = [&](size_t i, const ActivationStyle& s) {
    out[i] = s;
    colours.push_back(s.color);
    lines.insert({s.dash.dump(), s.marker});
  };
  for (size_t i = 0; i < specs.size(); ++i) {  // the registry's own labels keep their styles
    const ActivationInfo* info = find_activation(specs[i].name);
    if (keeps_entry_style(specs[i], info)) take(i, info->style);
  }
  const auto& hashed = hashed_colours();
  const size_t all = hashed.size() * hashed_dashes().size() * kMarkerCount;
  for (size_t i = 0; i < specs.size(); ++i) {
    const ActivationInfo* info = find_activation(specs[i].name);
    if (keeps_entry_style(specs[i], info)) continue;
    // A colour far from the others' while there is one; always a (dash, marker) of its own.
    const bool colour_free = std::any_of(
        hashed.begin(), hashed.end(), [&](const std::string& c) { return !near_any(c, colours); });
    ActivationStyle chosen = hashed_style(specs[i], info, 0);
    for (size_t step = 0; step < all; ++step) {
      const ActivationStyle s = hashed_style(specs[i], info, step);
      if ((colour_free && near_any(s.color, colours)) || lines.count({s.dash.dump(), s.marker})) {
        continue;
      }
      chosen = s;
      break;
    }
    take(i, chosen);
  }
  return out;
}

}  // namespace actbench
