// `actbench completion bash`: a bash completion script written from the CLI11 app itself, so a
// subcommand or option declared in C++ completes with no other edit. What an option's value
// completes to follows from its type name (what --help shows after it):
//   DIR -> directories; FILE -> files; CONFIG -> *.yaml, *.yml, *.json; KEY -> config keys;
//   KEY=VALUE -> config keys followed by '=' (and config files); a|b|c or a lower-case word ->
//   those words.
#include <iostream>
#include <set>
#include <sstream>

#include "cli/subcommands.h"
#include "util/error.h"
#include "util/text.h"

namespace actbench::cli {
namespace {

const char* kCompletionExamples = R"(
Examples:
  source <(actbench completion bash)       completion in this shell
  actbench completion bash > ~/.local/share/bash-completion/completions/actbench
                                           ... in every new shell (cmake --install puts it in place))";

// The bash code that puts the completions for a value of type `type` into COMPREPLY.
std::string value_completion(const std::string& type) {
  if (type.find("KEY=VALUE") != std::string::npos) return "_actbench_keys '='; _actbench_configs";
  if (type.find("CONFIG") != std::string::npos) return "_actbench_configs";
  if (type == "KEY") return "_actbench_keys ''";
  if (type == "DIR") return "_actbench_reply compgen -d -- \"$cur\"";
  if (type == "FILE") return "_actbench_reply compgen -f -- \"$cur\"";
  // Words: "csv|latex|markdown" (not "cuda:N"), or one word in lower case ("bash").
  const bool one_word =
      !type.empty() &&
      type.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-.") == std::string::npos;
  if (one_word || type.find('|') != std::string::npos) {
    std::vector<std::string> words;
    std::istringstream in(type);
    for (std::string w; std::getline(in, w, '|');) {
      if (!w.empty() && w.find(':') == std::string::npos) words.push_back(w);  // not cuda:N
    }
    return "_actbench_reply compgen -W '" + join(words, " ") + "' -- \"$cur\"";
  }
  return "";  // a number or free text: nothing to offer
}

// One subcommand's (or the top level's) completion, as the body of a `case "$path" in` arm.
void write_command(std::ostream& out, const CLI::App& cmd, const std::string& path,
                   const CLI::App& root) {
  std::set<std::string> flags{"--help"};
  std::ostringstream values;
  std::string positional;
  std::vector<const CLI::Option*> options = cmd.get_options();
  if (&cmd != &root) {  // -q, -v, --log-file work after the subcommand too
    for (const CLI::Option* opt : root.get_options()) {
      if (opt->get_lnames().empty() || opt->get_lnames().front() != "help") options.push_back(opt);
    }
  }
  for (const CLI::Option* opt : options) {
    if (opt->get_group().empty()) continue;  // hidden (tests' own options)
    if (opt->get_positional()) {
      if (positional.empty()) positional = value_completion(opt->get_type_name());
      continue;
    }
    std::vector<std::string> names;
    for (const auto& n : opt->get_lnames()) names.push_back("--" + n);
    for (const auto& n : opt->get_snames()) names.push_back("-" + n);
    flags.insert(names.begin(), names.end());
    const std::string completion =
        opt->get_type_size() == 0 ? "" : value_completion(opt->get_type_name());
    if (!completion.empty())
      values << "        " << join(names, " | ") << ") " << completion << "; return ;;\n";
  }
  std::vector<std::string> words;
  for (const CLI::App* sub : cmd.get_subcommands([](const CLI::App*) { return true; })) {
    words.push_back(sub->get_name());
  }
  words.insert(words.end(), flags.begin(), flags.end());
  out << "    '" << path << "')\n";
  if (!values.str().empty()) out << "      case \"$prev\" in\n" << values.str() << "      esac\n";
  out << "      if [[ $cur == -* || -z \"" << (positional.empty() ? "" : "x")
      << "\" ]]; then _actbench_reply compgen -W '" << join(words, " ")
      << "' -- \"$cur\"; return; fi\n";
  if (!positional.empty()) out << "      " << positional << "\n";
  out << "      ;;\n";
}

// Every command path ("", "run", "list/keys", ...) with its app, depth first.
void collect(const CLI::App& app, const std::string& path,
             std::vector<std::pair<std::string, const CLI::App*>>& all) {
  all.emplace_back(path, &app);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    collect(*sub, path.empty() ? sub->get_name() : path + "/" + sub->get_name(), all);
  }
}

void write_bash_completion(std::ostream& out, const CLI::App& root) {
  std::vector<std::pair<std::string, const CLI::App*>> commands;
  collect(root, "", commands);
  out << "# Bash completion for actbench, written by `actbench completion bash` from its command\n"
         "# line (do not edit: declare options in src/cli/ instead).\n"
         "_actbench_reply() { mapfile -t -O \"${#COMPREPLY[@]}\" COMPREPLY < <(\"$@\"); }\n"
         "_actbench_configs() { _actbench_reply compgen -f -X '!*.@(yaml|yml|json)' -- \"$cur\"; "
         "}\n"
         "# Config keys (with SUFFIX after each), asked of actbench once per shell.\n"
         "_actbench_keys() {\n"
         "  [ -n \"${_ACTBENCH_KEY_NAMES:-}\" ] ||\n"
         "    _ACTBENCH_KEY_NAMES=$(\"${COMP_WORDS[0]}\" list keys 2>/dev/null | awk 'NR > 1 { "
         "print $1 }')\n"
         "  _actbench_reply compgen -S \"$1\" -W \"$_ACTBENCH_KEY_NAMES\" -- \"$cur\"\n"
         "  [ -z \"$1\" ] || compopt -o nospace 2>/dev/null\n"
         "}\n"
         "_actbench() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} path='' i\n"
         "  COMPREPLY=()\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    case \"$path/${COMP_WORDS[i]}\" in\n";
  for (const auto& [path, app] : commands) {
    if (!path.empty())
      out << "      '" << (path.find('/') == std::string::npos ? "/" : "") << path
          << "') path=" << path << " ;;\n";
  }
  out << "    esac\n"
         "  done\n"
         "  case \"$path\" in\n";
  for (const auto& [path, app] : commands) write_command(out, *app, path, root);
  out << "  esac\n"
         "}\n"
         "shopt -s extglob\n"
         "complete -F _actbench actbench\n";
}

}  // namespace

void setup_completion(CLI::App& app, int& status) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = add_command(app, "completion", "Print a shell completion script for actbench",
                              kCompletionExamples, status, [&app, shell] {
                                if (*shell != "bash") {
                                  throw InputError("completion: no completion for shell '" +
                                                   *shell + "'; actbench completes in bash");
                                }
                                write_bash_completion(std::cout, app);
                                return kExitOk;
                              });
  cmd->add_option("shell", *shell, "the shell (bash)")->required()->type_name("bash");
}

}  // namespace actbench::cli
