#include "src/config/internal/decoder.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "src/config/duration.h"

namespace ferry::config::internal {

Status Decoder::Error(const YamlMark& mark, std::string_view path,
                      std::string_view message) const {
  std::string out = filename_.empty() ? std::string("<config>") : filename_;
  if (mark.line > 0) {
    // Appended piecewise: "lit" + std::string&& trips GCC 12's -Wrestrict
    // false positive (PR105651).
    out += ':';
    out += std::to_string(mark.line);
    out += ':';
    out += std::to_string(mark.column);
  }
  out += ": ";
  if (!path.empty()) {
    out += path;
    out += ": ";
  }
  out += message;
  return Status::InvalidArgument(std::move(out));
}

namespace {

std::string CannotUnmarshal(const YamlNode& node, std::string_view into) {
  std::string what(node.KindName());
  if (node.kind == YamlNode::Kind::kScalar) {
    what += ' ';
    what += Quote(node.scalar);
  }
  return "cannot unmarshal " + what + " into " + std::string(into);
}

// YAML 1.1 booleans as Go's yaml.v2 resolves plain scalars.
int ResolveBool(std::string_view s) {
  static const std::set<std::string_view> kTrue = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                                   "True", "TRUE", "on",  "On",  "ON"};
  static const std::set<std::string_view> kFalse = {"n",     "N",     "no",  "No",  "NO", "false",
                                                    "False", "FALSE", "off", "Off", "OFF"};
  if (kTrue.count(s) != 0) return 1;
  if (kFalse.count(s) != 0) return 0;
  return -1;
}

// Integers as yaml.v2 resolves them: optional sign, decimal, 0x hex, 0o/0
// octal, 0b binary, "_" separators allowed.
bool ResolveInt(std::string_view s, bool* negative, uint64_t* magnitude) {
  std::string t;
  for (char c : s) {
    if (c != '_') t += c;
  }
  *negative = false;
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    *negative = t[i] == '-';
    ++i;
  }
  int base = 10;
  if (t.size() - i > 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'X')) {
    base = 16;
    i += 2;
  } else if (t.size() - i > 2 && t[i] == '0' && (t[i + 1] == 'b' || t[i + 1] == 'B')) {
    base = 2;
    i += 2;
  } else if (t.size() - i > 2 && t[i] == '0' && (t[i + 1] == 'o' || t[i + 1] == 'O')) {
    base = 8;
    i += 2;
  } else if (t.size() - i > 1 && t[i] == '0') {
    base = 8;
    i += 1;
  }
  if (i >= t.size()) return false;
  uint64_t v = 0;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  *magnitude = v;
  return true;
}

}  // namespace

Status Decoder::ReadString(const YamlNode& node, std::string_view path, std::string* out) const {
  if (node.IsNull()) return Status::Ok();
  if (node.kind != YamlNode::Kind::kScalar) {
    return Error(node, path, CannotUnmarshal(node, "string"));
  }
  *out = node.scalar;
  return Status::Ok();
}

Status Decoder::ReadBool(const YamlNode& node, std::string_view path, bool* out) const {
  if (node.IsNull()) return Status::Ok();
  const int b = node.kind == YamlNode::Kind::kScalar && !node.is_string ? ResolveBool(node.scalar)
                                                                         : -1;
  if (b < 0) return Error(node, path, CannotUnmarshal(node, "bool"));
  *out = b == 1;
  return Status::Ok();
}

Status Decoder::ReadUint(const YamlNode& node, std::string_view path, uint64_t* out) const {
  if (node.IsNull()) return Status::Ok();
  bool neg = false;
  uint64_t v = 0;
  if (node.kind != YamlNode::Kind::kScalar || node.is_string ||
      !ResolveInt(node.scalar, &neg, &v) || (neg && v != 0)) {
    return Error(node, path, CannotUnmarshal(node, "uint"));
  }
  *out = v;
  return Status::Ok();
}

Status Decoder::ReadInt(const YamlNode& node, std::string_view path, int64_t* out) const {
  if (node.IsNull()) return Status::Ok();
  bool neg = false;
  uint64_t v = 0;
  if (node.kind != YamlNode::Kind::kScalar || node.is_string ||
      !ResolveInt(node.scalar, &neg, &v) || v > (neg ? uint64_t{1} << 63 : INT64_MAX)) {
    return Error(node, path, CannotUnmarshal(node, "int"));
  }
  *out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return Status::Ok();
}

Status Decoder::ReadDouble(const YamlNode& node, std::string_view path, double* out) const {
  if (node.IsNull()) return Status::Ok();
  if (node.kind == YamlNode::Kind::kScalar && !node.is_string && !node.scalar.empty()) {
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(node.scalar.c_str(), &end);
    if (errno == 0 && end == node.scalar.c_str() + node.scalar.size() && std::isfinite(v)) {
      *out = v;
      return Status::Ok();
    }
  }
  return Error(node, path, CannotUnmarshal(node, "float64"));
}

Status Decoder::ReadDuration(const YamlNode& node, std::string_view path, Duration* out) const {
  if (node.IsNull()) return Status::Ok();
  if (node.kind != YamlNode::Kind::kScalar) {
    return Error(node, path, CannotUnmarshal(node, "duration"));
  }
  Result<std::chrono::milliseconds> d = ParseDuration(node.scalar);
  if (!d.ok()) return Error(node, path, d.status().message());
  *out = *d;
  return Status::Ok();
}

Status Decoder::ReadBytes(const YamlNode& node, std::string_view path, int64_t* out) const {
  if (node.IsNull()) return Status::Ok();
  if (node.kind != YamlNode::Kind::kScalar) {
    return Error(node, path, CannotUnmarshal(node, "byte size"));
  }
  Result<int64_t> b = ParseBase2Bytes(node.scalar);
  if (!b.ok()) return Error(node, path, b.status().message());
  *out = *b;
  return Status::Ok();
}

Status Decoder::RequireSequence(const YamlNode& node, std::string_view path) const {
  if (node.IsNull() || node.kind == YamlNode::Kind::kSequence) return Status::Ok();
  return Error(node, path, CannotUnmarshal(node, "a list"));
}

Status Decoder::ReadStringList(const YamlNode& node, std::string_view path,
                               std::vector<std::string>* out) const {
  if (node.IsNull()) return Status::Ok();
  FERRY_RETURN_IF_ERROR(RequireSequence(node, path));
  out->clear();
  for (size_t i = 0; i < node.items.size(); ++i) {
    std::string s;
    FERRY_RETURN_IF_ERROR(ReadString(node.items[i], IndexPath(path, i), &s));
    out->push_back(std::move(s));
  }
  return Status::Ok();
}

Status Decoder::ReadStringMap(const YamlNode& node, std::string_view path,
                              std::map<std::string, std::string>* out) const {
  if (node.IsNull()) return Status::Ok();
  if (node.kind != YamlNode::Kind::kMap) return Error(node, path, CannotUnmarshal(node, "a map"));
  out->clear();
  for (const auto& [k, v] : node.entries) {
    std::string key;
    FERRY_RETURN_IF_ERROR(ReadString(k, path, &key));
    if (out->count(key) != 0) {
      return Error(k, path, "key " + Quote(key) + " already set in map");
    }
    std::string value;
    FERRY_RETURN_IF_ERROR(ReadString(v, JoinPath(path, key), &value));
    (*out)[key] = std::move(value);
  }
  return Status::Ok();
}

Status Decoder::ReadStringListMap(const YamlNode& node, std::string_view path,
                                  std::map<std::string, std::vector<std::string>>* out) const {
  if (node.IsNull()) return Status::Ok();
  if (node.kind != YamlNode::Kind::kMap) return Error(node, path, CannotUnmarshal(node, "a map"));
  out->clear();
  for (const auto& [k, v] : node.entries) {
    std::string key;
    FERRY_RETURN_IF_ERROR(ReadString(k, path, &key));
    if (out->count(key) != 0) {
      return Error(k, path, "key " + Quote(key) + " already set in map");
    }
    std::vector<std::string> values;
    FERRY_RETURN_IF_ERROR(ReadStringList(v, JoinPath(path, key), &values));
    (*out)[key] = std::move(values);
  }
  return Status::Ok();
}

Status Decoder::ReadLabels(const YamlNode& node, std::string_view path, NameValidation scheme,
                           labels::Labels* out) const {
  if (node.IsNull()) return Status::Ok();
  if (node.kind != YamlNode::Kind::kMap) {
    return Error(node, path, CannotUnmarshal(node, "a label set"));
  }
  std::vector<labels::Label> list;
  std::set<std::string> seen;
  for (const auto& [k, v] : node.entries) {
    std::string name;
    FERRY_RETURN_IF_ERROR(ReadString(k, path, &name));
    if (!IsValidLabelName(name, scheme)) {
      return Error(k, path, Quote(name) + " is not a valid label name");
    }
    if (!seen.insert(name).second) {
      return Error(k, path, "key " + Quote(name) + " already set in map");
    }
    std::string value;
    FERRY_RETURN_IF_ERROR(ReadString(v, JoinPath(path, name), &value));
    if (!IsValidUtf8(value)) {
      return Error(v, JoinPath(path, name), Quote(value) + " is not a valid label value");
    }
    list.push_back({std::move(name), std::move(value)});
  }
  *out = labels::Labels::FromUnsorted(std::move(list));
  return Status::Ok();
}

Result<Fields> Fields::Open(const Decoder& decoder, const YamlNode& node, std::string path,
                            std::string_view type_name) {
  if (node.kind != YamlNode::Kind::kMap && !node.IsNull()) {
    return decoder.Error(node, path, CannotUnmarshal(node, type_name));
  }
  std::set<std::string_view> keys;
  for (const auto& [k, v] : node.entries) {
    if (k.kind != YamlNode::Kind::kScalar) {
      return decoder.Error(k, path, "mapping keys must be strings in " + std::string(type_name));
    }
    if (!keys.insert(k.scalar).second) {
      return decoder.Error(k, path, "key " + Quote(k.scalar) + " already set in map");
    }
  }
  Fields f(decoder, node, std::move(path), std::string(type_name));
  f.used_.assign(node.entries.size(), false);
  return f;
}

const YamlNode* Fields::Get(std::string_view key) {
  for (size_t i = 0; i < node_->entries.size(); ++i) {
    if (node_->entries[i].first.scalar == key) {
      used_[i] = true;
      return &node_->entries[i].second;
    }
  }
  return nullptr;
}

YamlMark Fields::KeyMark(std::string_view key) const {
  for (const auto& [k, v] : node_->entries) {
    if (k.scalar == key) return k.mark;
  }
  return node_->mark;
}

std::string Fields::Sub(std::string_view key) const { return JoinPath(path_, key); }

Status Fields::String(std::string_view key, std::string* out) {
  const YamlNode* n = Get(key);
  return n == nullptr ? Status::Ok() : decoder_->ReadString(*n, Sub(key), out);
}
Status Fields::Bool(std::string_view key, bool* out) {
  const YamlNode* n = Get(key);
  return n == nullptr ? Status::Ok() : decoder_->ReadBool(*n, Sub(key), out);
}
Status Fields::Uint(std::string_view key, uint64_t* out) {
  const YamlNode* n = Get(key);
  return n == nullptr ? Status::Ok() : decoder_->ReadUint(*n, Sub(key), out);
}
Status Fields::Int(std::string_view key, int64_t* out) {
  const YamlNode* n = Get(key);
  return n == nullptr ? Status::Ok() : decoder_->ReadInt(*n, Sub(key), out);
}
Status Fields::Double(std::string_view key, double* out) {
  const YamlNode* n = Get(key);
  return n == nullptr ? Status::Ok() : decoder_->ReadDouble(*n, Sub(key), out);
}
Status Fields::Dur(std::string_view key, Duration* out) {
  const YamlNode* n = Get(key);
  return n == nullptr ? Status::Ok() : decoder_->ReadDuration(*n, Sub(key), out);
}
Status Fields::Bytes(std::string_view key, int64_t* out) {
  const YamlNode* n = Get(key);
  return n == nullptr ? Status::Ok() : decoder_->ReadBytes(*n, Sub(key), out);
}
Status Fields::StringList(std::string_view key, std::vector<std::string>* out) {
  const YamlNode* n = Get(key);
  return n == nullptr ? Status::Ok() : decoder_->ReadStringList(*n, Sub(key), out);
}
Status Fields::StringMap(std::string_view key, std::map<std::string, std::string>* out) {
  const YamlNode* n = Get(key);
  return n == nullptr ? Status::Ok() : decoder_->ReadStringMap(*n, Sub(key), out);
}

Status Fields::Finish() const {
  for (size_t i = 0; i < node_->entries.size(); ++i) {
    if (used_[i]) continue;
    const YamlNode& k = node_->entries[i].first;
    return decoder_->Error(k, path_,
                           "field " + k.scalar + " not found in type " + type_name_);
  }
  return Status::Ok();
}

}  // namespace ferry::config::internal
