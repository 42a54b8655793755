#include "wal/internal/schema.h"

#include "src/base/coding.h"
#include "wal/internal/record_format.h"

namespace ferry::wal::internal {

std::string U64Key(uint64_t v) {
  std::string k;
  coding::PutFixed64BE(&k, v);
  return k;
}

bool ParseU64Key(std::string_view key, uint64_t* v) {
  if (key.size() != 8) return false;
  *v = coding::DecodeFixed64BE(key.data());
  return true;
}

std::string CursorKey(std::string_view name) {
  std::string k(kMetaCursorPrefix);
  k.append(name);
  return k;
}

std::string KvPrefix(std::string_view prefix) {
  std::string k(kMetaKvPrefix);
  k.append(prefix);
  k.push_back('\0');
  return k;
}

std::string KvKey(std::string_view prefix, std::string_view key) {
  std::string k = KvPrefix(prefix);
  k.append(key);
  return k;
}

std::string EncodeCursor(uint64_t next_sequence, int64_t commit_ms) {
  std::string v;
  coding::PutVarint64(&v, next_sequence);
  coding::PutVarsint64(&v, commit_ms);
  return v;
}

Status DecodeCursor(std::string_view bytes, uint64_t* next_sequence, int64_t* commit_ms) {
  std::string_view in = bytes;
  if (!coding::GetVarint64(&in, next_sequence) || !coding::GetVarsint64(&in, commit_ms) ||
      !in.empty()) {
    return Status::Corruption("cursor value is damaged");
  }
  return Status::Ok();
}

std::string EncodeVarintValue(uint64_t v) {
  std::string s;
  coding::PutVarint64(&s, v);
  return s;
}

Status DecodeVarintValue(std::string_view bytes, std::string_view what, uint64_t* v) {
  std::string_view in = bytes;
  if (!coding::GetVarint64(&in, v) || !in.empty()) {
    return Status::Corruption("meta/" + std::string(what) + " is damaged");
  }
  return Status::Ok();
}

Status ValidateName(std::string_view what, std::string_view name) {
  if (name.empty()) return Status::InvalidArgument(std::string(what) + " must not be empty");
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " must not contain NUL");
  }
  return Status::Ok();
}

}  // namespace ferry::wal::internal
