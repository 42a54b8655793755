// Status and Result<T>: ferry's error values.
//
// Every fallible function in ferry returns a Status, or a Result<T> that
// holds either a T or a non-OK Status. Nothing in ferry throws across a module
// boundary; exceptions from dependencies are caught in the one adapter file
// that calls the dependency and turned into a Status there.
//
// The code decides behaviour (retry or not, refuse or not); the message is for
// humans and says where, then what:
//   "prometheus.yml:12:5: scrape_configs[0].scrape_timeout 15s exceeds ..."
//
// Thread-safety: const methods may be called from many threads at once; any
// non-const use needs external synchronisation, like any value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "src/base/check.h"

namespace ferry {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,    // bad configuration or input from outside
  kNotFound,           // a named thing does not exist
  kCorruption,         // stored bytes are not what ferry wrote
  kIOError,            // the disk or the OS failed
  kUnavailable,        // retryable: network error, 5xx, 429
  kRejected,           // not retryable: 4xx other than 429
  kResourceExhausted,  // disk cap, limits
  kCancelled,          // shutdown or explicit cancel
  kFailedPrecondition, // the system is not in a state that allows this (e.g. locked)
  kInternal,           // a bug; should never be seen
};

// Returns a stable lower-case name such as "invalid argument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status Rejected(std::string msg) { return {StatusCode::kRejected, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) {
    return {StatusCode::kResourceExhausted, std::move(msg)};
  }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status FailedPrecondition(std::string msg) {
    return {StatusCode::kFailedPrecondition, std::move(msg)};
  }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
  bool IsIOError() const { return code_ == StatusCode::kIOError; }
  bool IsUnavailable() const { return code_ == StatusCode::kUnavailable; }
  bool IsRejected() const { return code_ == StatusCode::kRejected; }
  bool IsResourceExhausted() const { return code_ == StatusCode::kResourceExhausted; }
  bool IsCancelled() const { return code_ == StatusCode::kCancelled; }
  bool IsFailedPrecondition() const { return code_ == StatusCode::kFailedPrecondition; }

  // Returns a copy whose message is "context: message". OK stays OK.
  Status WithContext(std::string_view context) const;

  // "invalid argument: message", or "ok".
  std::string ToString() const;

  // Marks a deliberate discard; write why beside the call:
  //   s.IgnoreError();  // best effort, the next tick retries
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds either a value of type T or a non-OK Status.
//
// REQUIRES: a Result is never built from an OK Status (checked).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    FERRY_CHECK(!status_.ok());
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  T& value() & {
    FERRY_CHECK(ok());
    return *value_;
  }
  const T& value() const& {
    FERRY_CHECK(ok());
    return *value_;
  }
  T&& value() && {
    FERRY_CHECK(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  void IgnoreError() const {}

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace ferry

#define FERRY_STATUS_CONCAT_INNER_(a, b) a##b
#define FERRY_STATUS_CONCAT_(a, b) FERRY_STATUS_CONCAT_INNER_(a, b)

// Returns from the current function if "expr" (a Status) is not OK.
#define FERRY_RETURN_IF_ERROR(expr)                 \
  do {                                              \
    ::ferry::Status ferry_status_ = (expr);         \
    if (!ferry_status_.ok()) return ferry_status_;  \
  } while (0)

// Evaluates "expr" (a Result<T>); on error returns its Status, else moves the
// value into "lhs" (which may be a declaration: `auto x`).
#define FERRY_ASSIGN_OR_RETURN(lhs, expr) \
  FERRY_ASSIGN_OR_RETURN_IMPL_(FERRY_STATUS_CONCAT_(ferry_result_, __LINE__), lhs, expr)
#define FERRY_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
