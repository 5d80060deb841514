#include "cli/Cli.h"

extern char** environ;

int main(int argc, char** argv) {
  return sb::host::cli::run(argc, argv, environ);
}
