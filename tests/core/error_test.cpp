#include "skylane/core/error.hpp"

#include <cctype>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace skylane {
namespace {

TEST(ErrorCatalogue, ReasonsAreUniqueUpperSnakeWithKnownExitCodes) {
  const auto [rows, count] = error_catalogue();
  ASSERT_GT(count, 0u);
  std::set<std::string> seen;
  const std::set<int> exit_codes = {64, 65, 66, 69, 70, 74, 78};
  for (std::size_t i = 0; i < count; ++i) {
    const std::string reason(rows[i].reason);
    EXPECT_TRUE(seen.insert(reason).second) << "duplicate reason " << reason;
    for (char c : reason) {
      EXPECT_TRUE(std::isupper(static_cast<unsigned char>(c)) || c == '_' ||
                  std::isdigit(static_cast<unsigned char>(c)))
          << reason;
    }
    EXPECT_TRUE(exit_codes.count(rows[i].exit_code)) << reason;
    EXPECT_NE(rows[i].code, Code::kOk) << reason;
  }
}

TEST(ErrorCatalogue, MakeErrorTakesCodeAndExitFromCatalogue) {
  const Error e = make_error("FILE_NOT_FOUND", "maps/x.tif does not exist");
  EXPECT_EQ(e.code, Code::kNotFound);
  EXPECT_EQ(e.exit_code(), 66);
  EXPECT_EQ(e.to_string(), "FILE_NOT_FOUND: maps/x.tif does not exist");
}

TEST(ErrorCatalogue, UnknownReasonIsInternalNotSilentlyMapped) {
  const Error e = make_error("NO_SUCH_REASON", "x");
  EXPECT_EQ(e.code, Code::kInternal);
  EXPECT_EQ(e.exit_code(), 70);
  EXPECT_EQ(code_name(e.code), "INTERNAL");
}

TEST(ErrorCatalogue, FailBuildsAnUnexpectedResult) {
  auto f = []() -> Result<int> { return fail("USAGE", "--out is required"); };
  const Result<int> r = f();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().exit_code(), 64);
}

}  // namespace
}  // namespace skylane
