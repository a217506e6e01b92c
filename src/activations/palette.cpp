#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "activations/registry.h"

// How every figure draws an activation (summary.json's `activations`): the registry entries'
// palette and the hashed styles of other labels. Only the looks; registry.cpp holds the entries.
namespace actbench {
namespace {

using Json = nlohmann::json;

// Colour, dash and marker per entry, in registry order, chosen to be told apart by people with
// colour-vision deficiencies and in grey scale: the Okabe-Ito palette for the first eight entries,
// then Paul Tol's muted (nine) and bright (seven) schemes; line styles cycle solid, dashed,
// dashdot, dotted and markers through twelve shapes, so no two entries share both (the tutorial's
// four differ in all three: ReLU is drawn solid with circles, LeakyReLU dotted with diamonds, and
// one no longer hides the other). Every figure draws an activation this way (summary.json's
// `activations`).
const std::vector<const char*> kColours{
    // Okabe & Ito (2008), "Color Universal Design".
    "#0072b2", "#d55e00", "#009e73", "#e69f00", "#cc79a7", "#56b4e9", "#f0e442", "#000000",
    // Paul Tol's muted scheme (pale grey left out).
    "#332288", "#88ccee", "#44aa99", "#117733", "#999933", "#ddcc77", "#cc6677", "#882255",
    "#aa4499",
    // Paul Tol's bright scheme.
    "#4477aa", "#66ccee", "#228833", "#ccbb44", "#ee6677", "#bbbbbb", "#aa3377"};

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

ActivationStyle activation_style(const ActivationSpec& spec) {
  const ActivationInfo* info = find_activation(spec.name);
  if (info && spec.label == info->display) return info->style;
  // Stable across processes and platforms (unlike std::hash): 64-bit FNV-1a of the label.
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : spec.label) {
    h ^= c;
    h *= 1099511628211ull;
  }
  // Paul Tol's vibrant and light schemes (colours no entry uses).
  static const std::vector<std::string> colors{"#ee7733", "#0077bb", "#33bbee", "#ee3377",
                                               "#cc3311", "#009988", "#77aadd", "#aaaa00",
                                               "#44bb99", "#bbcc33", "#ee8866", "#ffaabb"};
  static const std::vector<Json> dashes{Json{1, 1}, Json{5, 1}, Json{3, 1, 1, 1}, Json{6, 2, 2, 2}};
  return {colors[h % colors.size()], dashes[(h / colors.size()) % dashes.size()],
          info ? info->style.marker : palette_style(0).marker};
}

}  // namespace actbench
