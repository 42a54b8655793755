// Labels: an immutable label set sorted by name, as Prometheus' labels.Labels.
//
// Names are unique; Labels built through LabelsBuilder or FromUnsorted() are
// sorted by byte order of the name, which is the order remote write requires.
// Empty values mean "absent" in Prometheus, so builders drop them.
//
// Thread-safety: a Labels value is immutable after construction; const
// methods may be called from many threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::labels {

inline constexpr std::string_view kMetricName = "__name__";

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
  friend auto operator<=>(const Label&, const Label&) = default;
};

class Labels {
 public:
  Labels() = default;
  // Sorts "labels" by name. Duplicate names are kept; use Validate() to find them.
  static Labels FromUnsorted(std::vector<Label> labels);
  // REQUIRES: "labels" sorted by name (checked in debug builds).
  static Labels FromSorted(std::vector<Label> labels);
  // Convenience for tests and constants: Labels::Of({{"__name__", "up"}, {"job", "x"}}).
  static Labels Of(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs);

  // Returns the value of "name", or "" when absent. The view is valid while
  // this Labels lives.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;

  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }
  const Label& operator[](size_t i) const { return labels_[i]; }
  std::vector<Label>::const_iterator begin() const { return labels_.begin(); }
  std::vector<Label>::const_iterator end() const { return labels_.end(); }
  const std::vector<Label>& items() const { return labels_; }

  // A stable 64-bit hash of names and values (FNV-1a over name\xff value\xff ...).
  // Stable across processes and versions: used for sharding.
  uint64_t Hash() const;

  // Prometheus' String(): {__name__="up", job="x"} with Go-style quoting.
  std::string ToString() const;

  // Returns the first duplicate name, or "" if all names are unique.
  std::string_view FirstDuplicateName() const;

  friend bool operator==(const Labels&, const Labels&) = default;
  friend auto operator<=>(const Labels& a, const Labels& b) { return a.labels_ <=> b.labels_; }

 private:
  explicit Labels(std::vector<Label> labels) : labels_(std::move(labels)) {}
  std::vector<Label> labels_;
};

// Mutable label set used by relabeling and target building.
// Not thread-safe.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base);

  // Sets "name" to "value"; an empty value deletes the label, as in Prometheus.
  LabelsBuilder& Set(std::string_view name, std::string_view value);
  LabelsBuilder& Del(std::string_view name);
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;

  // Calls "fn(name, value)" for every label, in name order.
  template <typename Fn>
  void Range(Fn&& fn) const {
    for (const Label& l : labels_) fn(l.name, l.value);
  }

  // Returns the current set, sorted.
  Labels Build() const;
  void Reset(const Labels& base);

 private:
  std::vector<Label> labels_;  // kept sorted by name
};

// Appends "s" as a Go-quoted string ("..." with \\, \", \n escaped).
void AppendQuoted(std::string* out, std::string_view s);

}  // namespace ferry::labels
