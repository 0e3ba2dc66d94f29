// The `skylane map` commands as a user runs them: exit codes from STYLE.md and messages that
// name the problem.
#include <array>
#include <cstdio>
#include <string>

#include "fixtures.hpp"
#include <gtest/gtest.h>
#include <sys/wait.h>

namespace skylane::maps {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CliRun run(const std::string& args) {
  const std::string cmd = std::string(SKYLANE_BINARY_DIR) + "/bin/skylane " + args + " 2>&1";
  CliRun r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), pipe)) r.output += buf.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(MapCli, ExitCodesFollowTheHouseStyle) {
  testing::TempDir dir;
  // 66: input missing.
  CliRun r =
      run("map build --manifest " + dir.file("absent.toml") + " --out " + dir.file("x.skya"));
  EXPECT_EQ(r.exit_code, 66) << r.output;
  EXPECT_NE(r.output.find("FILE_NOT_FOUND"), std::string::npos) << r.output;
  // 78: configuration (unknown manifest key).
  testing::write_text(dir.file("m.toml"),
                      "[map]\nname = \"t\"\nextent_wgs84 = [114.0, 22.5, 114.1, 22.6]\ncolour = 1\n"
                      "[[terrain]]\npath = \"d.tif\"\n");
  r = run("map build --manifest " + dir.file("m.toml") + " --out " + dir.file("x.skya"));
  EXPECT_EQ(r.exit_code, 78) << r.output;
  EXPECT_NE(r.output.find("colour"), std::string::npos) << r.output;
  // 65: bad input data (not an airspace file).
  testing::write_text(dir.file("junk.skya"), std::string(300, 'x'));
  r = run("map info " + dir.file("junk.skya"));
  EXPECT_EQ(r.exit_code, 65) << r.output;
  EXPECT_NE(r.output.find("AIRSPACE_FILE_BAD_MAGIC"), std::string::npos) << r.output;
  // 64: usage.
  r = run("map build --manifest");
  EXPECT_EQ(r.exit_code, 64) << r.output;
  r = run("map export " + dir.file("junk.skya") + " --layer nope --out x.tif");
  EXPECT_EQ(r.exit_code, 64) << r.output;
  // 0: --version.
  r = run("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("skylane"), std::string::npos);
}

}  // namespace
}  // namespace skylane::maps
