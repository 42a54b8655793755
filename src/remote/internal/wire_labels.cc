#include "src/remote/internal/wire_labels.h"

#include <algorithm>
#include <string>

namespace ferry::remote::internal {
namespace {

Status LabelError(const labels::Labels& ls, std::string_view what, std::string_view problem) {
  std::string msg(what);
  msg += ' ';
  msg += ls.ToString();
  msg += ": ";
  msg += problem;
  return Status::InvalidArgument(std::move(msg));
}

}  // namespace

Status CollectWireLabels(const labels::Labels& ls, std::string_view what,
                         std::vector<const labels::Label*>* out) {
  out->clear();
  bool sorted = true;
  const labels::Label* prev = nullptr;
  for (const labels::Label& l : ls) {
    if (l.name.empty()) return LabelError(ls, what, "empty label name");
    if (prev != nullptr) {
      // Names nearly always differ in their first byte; decide on it alone
      // and leave the full comparison (a memcmp call) for the rest.
      const auto a = static_cast<unsigned char>(prev->name[0]);
      const auto b = static_cast<unsigned char>(l.name[0]);
      const int c = a != b ? (a < b ? -1 : 1) : prev->name.compare(l.name);
      if (c == 0) return LabelError(ls, what, "duplicate label name \"" + l.name + "\"");
      if (c > 0) sorted = false;
    }
    prev = &l;
    if (!l.value.empty()) out->push_back(&l);
  }
  if (sorted) return Status::Ok();

  // Slow path, only for label sets that bypassed labels::Labels' sorting
  // contract: sort the kept pointers and look for duplicates again, since
  // equal names need not have been adjacent.
  std::sort(out->begin(), out->end(),
            [](const labels::Label* a, const labels::Label* b) { return a->name < b->name; });
  for (size_t i = 1; i < out->size(); ++i) {
    if ((*out)[i]->name == (*out)[i - 1]->name) {
      return LabelError(ls, what, "duplicate label name \"" + (*out)[i]->name + "\"");
    }
  }
  return Status::Ok();
}

Status NoLabelsError(const labels::Labels& ls) {
  return LabelError(ls, "series", "no labels with a non-empty value");
}

}  // namespace ferry::remote::internal
