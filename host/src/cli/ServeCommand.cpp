#include "app/ConfigLoader.h"
#include "app/HostContext.h"
#include "cli/Cli.h"
#include "http/ApiServer.h"
#include "routes/Routes.h"

#include <switchboard/core/log/Logging.h>
#include <switchboard/core/plugin/CrashReport.h>

#include <Poco/Util/ServerApplication.h>

#include <iostream>

namespace sb::host::cli {
namespace {

/// `switchboard serve`: Poco's ServerApplication gives us signal handling
/// (SIGINT/SIGTERM end waitForTerminationRequest) and daemon conventions.
class ServeApplication final : public Poco::Util::ServerApplication {
 public:
  ServeApplication(const Args& args, char** environment, std::string argv0)
      : args_(args), environment_(environment), argv0_(std::move(argv0)) {}

 protected:
  int main(const std::vector<std::string>&) override {
    // Poco's run() would swallow exceptions into a generic exit code; say
    // what is wrong instead.
    try {
      return serve();
    } catch (const core::ConfigError& e) {
      std::cerr << "switchboard: configuration error: " << e.what() << std::endl;
      return 2;
    } catch (const std::exception& e) {
      std::cerr << "switchboard: " << e.what() << std::endl;
      return 1;
    }
  }

 private:
  int serve() {
    LoadedConfig loaded = readConfig(args_.configRequest(environment_));
    throwIfProblems(loaded);
    core::Settings settings = std::move(loaded.settings);
    core::LogOptions logOptions;
    logOptions.level = settings.getString("log.level", "info");
    logOptions.format = core::parseLogFormat(settings.getString("log.format", "text"));
    logOptions.file = settings.getString("log.file");
    core::configureLogging(logOptions);
    // A crash (in a plugin or not) says where it happened and reaches the log.
    core::installCrashReport(logOptions.file);
    auto log = core::logger("host");
    for (const auto& warning : loaded.warnings) {
      log->warn("config: {}", warning);
    }

    HostContext context(std::move(settings));
    context.discoverPlugins(executableDir(argv0_));

    ServerOptions options = serverOptionsFrom(context.settings());
    auto router = std::make_shared<Router>();
    addAllRoutes(*router, context);
    ApiServer server(router, options, context.apiKeys(), &context.metrics(), &context.sessions());
    server.bind();

    std::string publicBaseUrl = context.settings().getString("public_base_url");
    const std::string localUrl = "http://" + (options.host == "0.0.0.0" ? std::string("127.0.0.1") : options.host) +
                                 ":" + std::to_string(server.port());
    if (publicBaseUrl.empty()) {
      publicBaseUrl = localUrl;
    }
    context.startProvider(publicBaseUrl);
    server.start();
    log->info("listening on {} (public base URL {})", localUrl, publicBaseUrl);
    std::cout << "Switchboard is listening on " << localUrl
              << "  (provider: " << context.settings().getString("provider", "sim")
              << (context.provider() != nullptr ? "" : ", NOT READY: " + context.providerProblem()) << ")" << std::endl;
    waitForTerminationRequest();
    log->info("shutting down");
    server.stop();
    return EXIT_OK;
  }

  Args args_;
  char** environment_;
  std::string argv0_;
};

}  // namespace

int serve(const Args& args, char** environment) {
  ServeApplication application(args, environment, args.argv0);
  return application.run(std::vector<std::string>{args.argv0});
}

}  // namespace sb::host::cli
