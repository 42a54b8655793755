#include "src/relabel/relabel.h"

#include <string>

#include "src/relabel/internal/compiled_rule.h"

namespace ferry::relabel {

Relabeler::Relabeler() = default;
Relabeler::~Relabeler() = default;

Result<std::unique_ptr<Relabeler>> Relabeler::Compile(std::span<const RelabelConfig> configs) {
  std::unique_ptr<Relabeler> r(new Relabeler());
  r->rules_.reserve(configs.size());
  for (size_t i = 0; i < configs.size(); ++i) {
    const std::string where = "relabel rule " + std::to_string(i);
    Status s = Validate(configs[i]);
    if (!s.ok()) return s.WithContext(where);
    auto rule = internal::CompiledRule::Build(configs[i]);
    if (!rule.ok()) return rule.status().WithContext(where);
    r->rules_.push_back(std::move(rule).value());
  }
  return r;
}

bool Relabeler::Process(labels::LabelsBuilder* lb) const {
  for (const auto& rule : rules_) {
    if (!rule->Apply(lb)) return false;
  }
  return true;
}

}  // namespace ferry::relabel
