// `actbench list activations | keys`: what actbench offers.
#include <iostream>

#include "activations/formula.h"
#include "activations/registry.h"
#include "cli/subcommands.h"
#include "config/config.h"
#include "config/keys.h"
#include "util/error.h"
#include "util/table.h"
#include "util/text.h"

namespace actbench::cli {
namespace {

const char* kListExamples = R"(
Examples:
  actbench list activations        every activation, its aliases, parameters and formula
  actbench list activations configs/formulas.yaml
                                   also that config's activations (formulas as written)
  actbench list activations --markdown   the same as docs/architecture.md's table
  actbench list keys               every config key: type, default, description
  actbench list keys --markdown    the same as the README's table
  actbench list keys --schema      the config's JSON Schema (docs/results.schema.json))";

std::string param_summary(const ActivationInfo& info) {
  if (info.params.empty()) return "-";
  std::vector<std::string> parts;
  for (const auto& p : info.params) {
    const Json& d = p.default_value;
    parts.push_back(p.name + "=" +
                    (d.is_number()   ? format_number(d.get<double>())
                     : d.is_string() ? d.get<std::string>()
                                     : d.dump()));
  }
  return join(parts, ", ");
}

// A resolved spec's parameters in words: "negative_slope=0.2", a formula's "beta=1 [learnable]".
std::string spec_params(const ActivationSpec& spec) {
  std::vector<std::string> parts;
  if (spec.params.contains("expr")) {
    for (const auto& c : formula_constants(spec.params)) {
      parts.push_back(
          c.name + "=" + format_number(c.init) +
          (c.learnable ? (c.per_unit ? " [learnable, per unit]" : " [learnable]") : ""));
    }
  } else {
    for (const auto& [k, v] : spec.params.items()) {
      parts.push_back(k + "=" + value_text(v));
    }
  }
  return parts.empty() ? "-" : join(parts, ", ");
}

// The registry as a table (`markdown`: names in backticks, for the docs' generated table).
Table activation_table(bool markdown) {
  const auto code = [markdown](const std::string& s) {
    return markdown && s != "-" ? "`" + s + "`" : s;
  };
  Table table({"name", "aliases", "parameters (defaults)", "formula"});
  for (const auto& a : activation_registry()) {
    std::vector<std::string> aliases;
    for (const auto& alias : a.aliases) aliases.push_back(code(alias));
    table.add({code(a.name), aliases.empty() ? "-" : join(aliases, ", "),
               param_summary(a) + (a.learnable ? " [learnable]" : ""), a.formula});
  }
  const ActivationInfo& formula = *find_activation("formula");
  table.add({code(formula.name), "-", "expr, params {NAME: VALUE | {init, learnable, per_unit}}",
             formula.formula});
  return table;
}

void list_activations(std::ostream& out, const std::string& config, bool markdown) {
  if (markdown) {
    activation_table(true).print_markdown(out);
    return;
  }
  activation_table(false).print(out);
  out << "\nNames are case-insensitive and ignore '_' and '-' (LeakyReLU = leaky_relu).\n"
         "Parameters go in the config: {name: leaky_relu, negative_slope: 0.2, label: "
         "\"LeakyReLU(0.2)\"}\n"
         "Your own: {name: formula, expr: \"x * sigmoid(beta * x)\", params: {beta: {init: 1.0, "
         "learnable: true}}, label: Swish-beta}\n"
         "A formula may use x, its constants, pi, e, numbers, + - * / ** % and comparisons, and "
      << join(formula_functions(), ", ") << ".\n";
  if (config.empty()) return;
  Table own({"label", "name", "parameters", "formula"});
  for (const auto& spec : load_config(std::filesystem::path(config), {}).activations) {
    own.add({spec.label, spec.name, spec_params(spec),
             spec.written.empty() ? activation_formula(spec) : spec.written});
  }
  out << "\nThe activations of " << config << ":\n";
  own.print(out);
}

// A key's flags for people: "sweepable", "not in the run's identity".
std::string key_notes(const KeyInfo& k) {
  std::vector<std::string> notes;
  if (!k.unsweepable.empty()) notes.push_back("not sweepable");
  if (!k.identity) notes.push_back("not part of a run's identity");
  return join(notes, "; ");
}

void list_keys(std::ostream& out, bool markdown) {
  if (!markdown) {
    Table table({"key", "type", "default", "description"});
    for (const auto& k : config_keys()) {
      const std::string notes = key_notes(k);
      table.add({k.name, k.type, k.default_text,
                 k.description + (notes.empty() ? "" : " (" + notes + ")")});
    }
    table.print(out);
    return;
  }
  Table table({"key", "type", "default", "description"});
  for (const auto& k : config_keys()) {
    const std::string notes = key_notes(k);
    table.add({"`" + k.name + "`", k.type, k.default_text,
               k.description + (notes.empty() ? "" : " (" + notes + ")")});
  }
  table.print_markdown(out);
}

}  // namespace

void setup_list(CLI::App& app, int& status) {
  CLI::App* list = app.add_subcommand("list", "List what actbench offers");
  list->require_subcommand(0, 1);
  list->allow_extras();
  list->fallthrough(false);  // an unknown topic stays here, to be named below
  list->footer(kListExamples);
  // `list` alone names the topics; an unknown topic is one line with the closest one.
  list->callback([list, &status] {
    std::vector<std::string> topics;
    for (const CLI::App* t : list->get_subcommands([](const CLI::App*) { return true; })) {
      topics.push_back(t->get_name());
    }
    const std::vector<std::string> extra = list->remaining();
    if (!extra.empty()) {
      const std::string guess = closest_match(extra.front(), topics);
      throw InputError("nothing to list as '" + extra.front() + "'" +
                       (guess.empty() ? "" : " (did you mean '" + guess + "'?)") +
                       "; actbench list " + join(topics, " | "));
    }
    if (list->get_subcommands().empty()) {
      std::cout << "actbench list " << join(topics, " | ") << "\n";
      Table table = Table::headless({}, "  ");
      for (const CLI::App* t : list->get_subcommands([](const CLI::App*) { return true; })) {
        table.add({t->get_name(), t->get_description()});
      }
      table.print(std::cout);
      status = kExitOk;
    }
  });
  CLI::App* acts =
      list->add_subcommand("activations", "Every activation with its parameters and defaults");
  auto config = std::make_shared<std::string>();
  auto acts_markdown = std::make_shared<bool>(false);
  acts->add_option("config", *config, "a config file: also list its activations")
      ->type_name("CONFIG");
  acts->add_flag("--markdown", *acts_markdown, "the registry as a Markdown table (the docs')");
  acts->callback([config, acts_markdown, &status] {
    list_activations(std::cout, *config, *acts_markdown);
    status = kExitOk;
  });
  auto markdown = std::make_shared<bool>(false);
  auto schema = std::make_shared<bool>(false);
  CLI::App* keys = list->add_subcommand("keys", "Every config key: type, default, description");
  keys->add_flag("--markdown", *markdown, "as a Markdown table (the README's)");
  keys->add_flag("--schema", *schema, "the config's JSON Schema");
  keys->callback([markdown, schema, &status] {
    if (*schema) {
      std::cout << config_schema().dump(2) << "\n";
    } else {
      list_keys(std::cout, *markdown);
    }
    status = kExitOk;
  });
}

}  // namespace actbench::cli
