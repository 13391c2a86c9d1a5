// tinymlops: the command-line tool (noun-verb: `tinymlops model import`, ...).
#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"tinymlops: operate machine-learning models on fleets of edge devices"};
  app.set_version_flag("--version", "tinymlops 0.1.0");
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
