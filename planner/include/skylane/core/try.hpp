// Early-return helpers for Result<T>: SKY_TRY(var, expr) binds the value or returns the error;
// SKY_CHECK(expr) returns the error of a Result<void> (or any Result) if there is one.
#pragma once

#include "skylane/core/error.hpp"

#define SKY_TRY(var, expr)                                          \
  auto var##_result_ = (expr);                                      \
  if (!var##_result_) return tl::unexpected(var##_result_.error()); \
  auto var = std::move(*var##_result_)

// SKY_ASSIGN(lhs, expr): like SKY_TRY, but assigns to an existing lvalue (a member, a field).
#define SKY_CONCAT_INNER_(a, b) a##b
#define SKY_CONCAT_(a, b) SKY_CONCAT_INNER_(a, b)
#define SKY_ASSIGN_IMPL_(tmp, lhs, expr)        \
  auto tmp = (expr);                            \
  if (!tmp) return tl::unexpected(tmp.error()); \
  lhs = std::move(*tmp)
#define SKY_ASSIGN(lhs, expr) SKY_ASSIGN_IMPL_(SKY_CONCAT_(sky_assign_, __LINE__), lhs, expr)

#define SKY_CHECK(expr)                                                       \
  do {                                                                        \
    auto sky_check_result_ = (expr);                                          \
    if (!sky_check_result_) return tl::unexpected(sky_check_result_.error()); \
  } while (0)
