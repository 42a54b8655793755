#include "wal/internal/rocks_util.h"

namespace ferry::wal::internal {

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string msg = std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(std::move(msg));
  if (s.IsCorruption()) return Status::Corruption(std::move(msg));
  if (s.IsInvalidArgument() || s.IsNotSupported()) return Status::InvalidArgument(std::move(msg));
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return Status::Unavailable(std::move(msg));
  if (s.IsShutdownInProgress() || s.IsAborted()) return Status::Cancelled(std::move(msg));
  if (s.IsNoSpace() || s.IsMemoryLimit()) return Status::ResourceExhausted(std::move(msg));
  return Status::IOError(std::move(msg));
}

}  // namespace ferry::wal::internal
