#include "src/remote/internal/decode_util.h"

namespace ferry::remote::internal {

Status LabelsChecker::Add(std::string_view where, std::string_view name, std::string_view value) {
  if (name.empty()) return Status::InvalidArgument(std::string(where) + ": empty label name");
  if (value.empty()) {
    return Status::InvalidArgument(std::string(where) + ": label \"" + std::string(name) +
                                   "\" has an empty value");
  }
  if (!labels_.empty()) {
    const std::string& prev = labels_.back().name;
    if (name == prev) {
      return Status::InvalidArgument(std::string(where) + ": duplicate label name \"" +
                                     std::string(name) + "\"");
    }
    if (name < prev) {
      return Status::InvalidArgument(std::string(where) + ": labels not sorted: \"" +
                                     std::string(name) + "\" after \"" + prev + "\"");
    }
  }
  labels_.push_back(labels::Label{std::string(name), std::string(value)});
  return Status::Ok();
}

labels::Labels LabelsChecker::Take() {
  labels::Labels out = labels::Labels::FromSorted(std::move(labels_));
  labels_.clear();
  return out;
}

std::string Indexed(std::string_view prefix, size_t i) {
  std::string s(prefix);
  s += '[';
  s += std::to_string(i);
  s += ']';
  return s;
}

}  // namespace ferry::remote::internal
