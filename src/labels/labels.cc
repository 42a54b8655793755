#include "src/labels/labels.h"

#include <algorithm>

#include "src/base/check.h"

namespace ferry::labels {
namespace {
bool NameLess(const Label& a, const Label& b) { return a.name < b.name; }

auto FindName(const std::vector<Label>& v, std::string_view name) {
  return std::lower_bound(v.begin(), v.end(), name,
                          [](const Label& l, std::string_view n) { return l.name < n; });
}
}  // namespace

Labels Labels::FromUnsorted(std::vector<Label> labels) {
  std::stable_sort(labels.begin(), labels.end(), NameLess);
  return Labels(std::move(labels));
}

Labels Labels::FromSorted(std::vector<Label> labels) {
  FERRY_DCHECK(std::is_sorted(labels.begin(), labels.end(), NameLess));
  return Labels(std::move(labels));
}

Labels Labels::Of(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  std::vector<Label> v;
  v.reserve(pairs.size());
  for (const auto& [n, val] : pairs) v.push_back({std::string(n), std::string(val)});
  return FromUnsorted(std::move(v));
}

std::string_view Labels::Get(std::string_view name) const {
  auto it = FindName(labels_, name);
  if (it != labels_.end() && it->name == name) return it->value;
  return {};
}

bool Labels::Has(std::string_view name) const {
  auto it = FindName(labels_, name);
  return it != labels_.end() && it->name == name;
}

uint64_t Labels::Hash() const {
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  for (const Label& l : labels_) {
    mix(l.name);
    mix(l.value);
  }
  return h;
}

void AppendQuoted(std::string* out, std::string_view s) {
  *out += '"';
  for (char c : s) {
    switch (c) {
      case '\\': *out += "\\\\"; break;
      case '"': *out += "\\\""; break;
      case '\n': *out += "\\n"; break;
      default: *out += c;
    }
  }
  *out += '"';
}

std::string Labels::ToString() const {
  std::string out = "{";
  for (size_t i = 0; i < labels_.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels_[i].name;
    out += '=';
    AppendQuoted(&out, labels_[i].value);
  }
  out += '}';
  return out;
}

std::string_view Labels::FirstDuplicateName() const {
  for (size_t i = 1; i < labels_.size(); ++i) {
    if (labels_[i].name == labels_[i - 1].name) return labels_[i].name;
  }
  return {};
}

LabelsBuilder::LabelsBuilder(const Labels& base) { Reset(base); }

void LabelsBuilder::Reset(const Labels& base) {
  labels_.assign(base.begin(), base.end());
}

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) return Del(name);
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != labels_.end() && it->name == name) {
    it->value.assign(value);
  } else {
    labels_.insert(it, Label{std::string(name), std::string(value)});
  }
  return *this;
}

LabelsBuilder& LabelsBuilder::Del(std::string_view name) {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != labels_.end() && it->name == name) labels_.erase(it);
  return *this;
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  auto it = FindName(labels_, name);
  if (it != labels_.end() && it->name == name) return it->value;
  return {};
}

bool LabelsBuilder::Has(std::string_view name) const {
  auto it = FindName(labels_, name);
  return it != labels_.end() && it->name == name;
}

Labels LabelsBuilder::Build() const { return Labels::FromSorted(labels_); }

}  // namespace ferry::labels
