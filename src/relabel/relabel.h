// Relabeler: a compiled list of relabeling rules, applied the way Prometheus'
// model/relabel Process applies relabel_configs, metric_relabel_configs and
// write_relabel_configs.
//
// Compile() validates every rule (Validate() in relabel_config.h) and
// precompiles its regex as RE2 "^(?:regex)$" and its templates, so Process()
// does no parsing and, for the common actions, no allocation beyond what
// LabelsBuilder::Set needs. docs/relabeling.md describes the actions, the
// defaults and the few places where ferry differs from Prometheus.
//
// Thread-safety: immutable after Compile(); Process() may be called from many
// threads at once on distinct builders.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "src/base/status.h"
#include "src/labels/labels.h"
#include "src/relabel/relabel_config.h"

namespace ferry::relabel {

namespace internal {
struct CompiledRule;
}  // namespace internal

class Relabeler {
 public:
  // Validates and compiles "configs", in order. An empty list is valid and
  // yields a Relabeler that keeps everything unchanged. On error returns
  // kInvalidArgument naming the rule ("relabel rule 2: 'regex' ...").
  static Result<std::unique_ptr<Relabeler>> Compile(std::span<const RelabelConfig> configs);

  ~Relabeler();
  Relabeler(const Relabeler&) = delete;
  Relabeler& operator=(const Relabeler&) = delete;

  // Applies every rule in order to "*lb". Returns false as soon as a rule
  // drops the series/target (keep, drop, keepequal, dropequal); "*lb" is then
  // left in an unspecified state. Returns true otherwise, with "*lb" holding
  // the relabeled set (labels whose value became empty are removed).
  // REQUIRES: lb != nullptr.
  [[nodiscard]] bool Process(labels::LabelsBuilder* lb) const;

  // True when there are no rules: Process() would always return true and
  // change nothing, so callers may skip it.
  bool empty() const { return rules_.empty(); }
  size_t size() const { return rules_.size(); }

 private:
  Relabeler();
  std::vector<std::unique_ptr<internal::CompiledRule>> rules_;
};

}  // namespace ferry::relabel
