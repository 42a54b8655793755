// Relabel rules the scrape tests share.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "src/relabel/relabel.h"

namespace ferry::testing {

// metric_relabel_configs that drop every series whose __name__ fully matches
// "regex" (RE2); null, with a test failure, if it does not compile.
inline std::unique_ptr<relabel::Relabeler> DropNames(const std::string& regex) {
  relabel::RelabelConfig drop;
  drop.source_labels = {"__name__"};
  drop.regex = regex;
  drop.action = relabel::Action::kDrop;
  std::vector<relabel::RelabelConfig> rules = {drop};
  auto r = relabel::Relabeler::Compile(rules);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

}  // namespace ferry::testing
