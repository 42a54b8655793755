// Decoder: strict, position-aware reading of a YamlNode into plain values,
// with the semantics of Go's yaml.UnmarshalStrict that Prometheus uses:
// unknown and duplicate keys are errors, scalars resolve as YAML 1.1
// (yes/no/on/off are booleans unless quoted), and every error names
// FILE:LINE:COL and the field path:
//   prometheus.yml:12:5: scrape_configs[0].scrape_timeout: not a valid duration string: "x"
//
// Not thread-safe; one Decoder per load.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/config/config.h"
#include "src/config/internal/yaml_tree.h"

namespace ferry::config::internal {

class Decoder {
 public:
  explicit Decoder(std::string filename) : filename_(std::move(filename)) {}

  const std::string& filename() const { return filename_; }

  // kInvalidArgument "FILE:LINE:COL: PATH: MESSAGE" ("FILE: PATH: MESSAGE"
  // without a position; "PATH: " is left out when "path" is empty).
  Status Error(const YamlMark& mark, std::string_view path, std::string_view message) const;
  Status Error(const YamlNode& node, std::string_view path, std::string_view message) const {
    return Error(node.mark, path, message);
  }

  // Typed reads of one value. A kNull node leaves "*out" unchanged (the
  // default stays), as Prometheus' defaults survive an empty value.
  Status ReadString(const YamlNode& node, std::string_view path, std::string* out) const;
  Status ReadBool(const YamlNode& node, std::string_view path, bool* out) const;
  Status ReadUint(const YamlNode& node, std::string_view path, uint64_t* out) const;
  Status ReadInt(const YamlNode& node, std::string_view path, int64_t* out) const;
  Status ReadDouble(const YamlNode& node, std::string_view path, double* out) const;
  Status ReadDuration(const YamlNode& node, std::string_view path, Duration* out) const;
  Status ReadBytes(const YamlNode& node, std::string_view path, int64_t* out) const;
  Status ReadStringList(const YamlNode& node, std::string_view path,
                        std::vector<std::string>* out) const;
  Status ReadStringMap(const YamlNode& node, std::string_view path,
                       std::map<std::string, std::string>* out) const;
  // name -> list of strings (params, proxy_connect_header).
  Status ReadStringListMap(const YamlNode& node, std::string_view path,
                           std::map<std::string, std::vector<std::string>>* out) const;
  // A label set (external_labels, static_configs labels): names checked with
  // "scheme", values must be valid UTF-8.
  Status ReadLabels(const YamlNode& node, std::string_view path, NameValidation scheme,
                    labels::Labels* out) const;

  // Requires a sequence (or null, which reads as empty). Error otherwise.
  Status RequireSequence(const YamlNode& node, std::string_view path) const;

 private:
  std::string filename_;
};

// The keys of one YAML mapping, consumed one by one; Finish() refuses the
// keys nobody asked for, like Go's strict decoder ("field x not found in
// type ...").
class Fields {
 public:
  // REQUIRES: "node" outlives this Fields.
  // Fails when "node" is neither a mapping nor null, or has a duplicate key.
  static Result<Fields> Open(const Decoder& decoder, const YamlNode& node, std::string path,
                             std::string_view type_name);

  // The value of "key", or nullptr when the key is absent. Marks it consumed.
  // Null values are returned (as kNull nodes); callers treat them as absent.
  const YamlNode* Get(std::string_view key);
  // Like Get() but returns nullptr for a null value too.
  const YamlNode* GetNonNull(std::string_view key) {
    const YamlNode* n = Get(key);
    return n != nullptr && !n->IsNull() ? n : nullptr;
  }
  // The position of "key" itself (for errors about a key), or the mapping's.
  YamlMark KeyMark(std::string_view key) const;
  // "path.key"
  std::string Sub(std::string_view key) const;
  const std::string& path() const { return path_; }
  const YamlNode& node() const { return *node_; }
  const Decoder& decoder() const { return *decoder_; }

  // Shorthands: read "key" into "*out" if present.
  Status String(std::string_view key, std::string* out);
  Status Bool(std::string_view key, bool* out);
  Status Uint(std::string_view key, uint64_t* out);
  Status Int(std::string_view key, int64_t* out);
  Status Double(std::string_view key, double* out);
  Status Dur(std::string_view key, Duration* out);
  Status Bytes(std::string_view key, int64_t* out);
  Status StringList(std::string_view key, std::vector<std::string>* out);
  Status StringMap(std::string_view key, std::map<std::string, std::string>* out);

  // Refuses the first key that no Get() asked for:
  //   "FILE:L:C: path: field KEY not found in type TYPE_NAME"
  Status Finish() const;

 private:
  Fields(const Decoder& decoder, const YamlNode& node, std::string path, std::string type_name)
      : decoder_(&decoder), node_(&node), path_(std::move(path)), type_name_(std::move(type_name)) {}

  const Decoder* decoder_;
  const YamlNode* node_;
  std::string path_;
  std::string type_name_;
  std::vector<bool> used_;
};

// "a.b" or "b" when "a" is empty; Index("a", 3) is "a[3]".
std::string JoinPath(std::string_view base, std::string_view key);
std::string IndexPath(std::string_view base, size_t index);

// Go-style quoted string, as fmt's %q.
std::string Quote(std::string_view s);

bool IsValidUtf8(std::string_view s);

// Expands $NAME and ${NAME} in "s" with "env" (Go's os.Expand, as Prometheus
// applies to external_labels values); "$$" is a literal "$".
std::string ExpandEnv(std::string_view s, const std::function<std::string(std::string_view)>& env);
// [a-zA-Z_][a-zA-Z0-9_]*
bool IsLegacyLabelName(std::string_view s);
bool IsValidLabelName(std::string_view s, NameValidation scheme);

}  // namespace ferry::config::internal
