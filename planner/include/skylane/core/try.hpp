// Early-return helpers for Result<T>: SKY_TRY(var, expr) binds the value or returns the error;
// SKY_CHECK(expr) returns the error of a Result<void> (or any Result) if there is one.
#pragma once

#include "skylane/core/error.hpp"

#define SKY_TRY(var, expr)                                          \
  auto var##_result_ = (expr);                                      \
  if (!var##_result_) return tl::unexpected(var##_result_.error()); \
  auto var = std::move(*var##_result_)

#define SKY_CHECK(expr)                                                       \
  do {                                                                        \
    auto sky_check_result_ = (expr);                                          \
    if (!sky_check_result_) return tl::unexpected(sky_check_result_.error()); \
  } while (0)
