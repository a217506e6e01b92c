// actbench: compare neural-network activation functions on MNIST with LibTorch.
// The command line and its subcommands are in cli/ (cli/app.cpp holds the table of them).
#include "cli/app.h"
#include "cli/logging.h"

int main(int argc, char** argv) {
  actbench::cli::setup_logging();
  return actbench::cli::run_command_line(argc, argv);
}
