// Fuzzes relabeling end to end: builds a rule set and a label set from the
// input bytes, then checks that
//   - ParseAction and Validate never crash on any string;
//   - every rule set Validate() accepts compiles (Validate must reject what
//     Compile would choke on), and Compile() never accepts what Validate()
//     rejects;
//   - the match-range prefilter never changes a match result (checked
//     against a plain RE2 search on every label name and value);
//   - Process() never crashes, and what it keeps is a well-formed label set
//     (sorted, unique names, no empty values).
//
// Input layout (every read past the end yields zeros):
//   u8 nlabels%9, then per label: str(12) name, str(12) value
//   u8 nrules%5, then per rule:
//     u8 action%11, u8 field mask, then for each set bit:
//       bit0 source_labels: u8 count%4, per entry u8 b: b&0x80 ? existing
//            label name #(b%nlabels) : str(12)
//       bit1 separator str(4)   bit2 regex str(64)
//       bit3 modulus: u8 m, m&0x80 ? u64 : m%16
//       bit4 target_label str(16)   bit5 replacement str(16)
//   str(n) is u8 length%(n+1) followed by that many bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "src/relabel/internal/compiled_rule.h"
#include "src/relabel/relabel.h"
#include "src/relabel/relabel_config.h"

namespace {

using ferry::relabel::Action;
using ferry::relabel::RelabelConfig;

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  uint8_t Byte() {
    if (n_ == 0) return 0;
    --n_;
    return *p_++;
  }
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | Byte();
    return v;
  }
  std::string Str(size_t max) {
    size_t len = Byte() % (max + 1);
    if (len > n_) len = n_;
    std::string s(reinterpret_cast<const char*>(p_), len);
    p_ += len;
    n_ -= len;
    return s;
  }

 private:
  const uint8_t* p_;
  size_t n_;
};

constexpr Action kActions[] = {Action::kReplace,   Action::kKeep,      Action::kDrop,
                               Action::kKeepEqual, Action::kDropEqual, Action::kHashMod,
                               Action::kLabelMap,  Action::kLabelDrop, Action::kLabelKeep,
                               Action::kLowercase, Action::kUppercase};

void Require(bool cond, const char* what) {
  if (!cond) {
    __builtin_trap();  // a property failed: let the fuzzer record the input
  }
  (void)what;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in(data, size);
  std::vector<ferry::labels::Label> lset;
  const int nlabels = in.Byte() % 9;
  for (int i = 0; i < nlabels; ++i) {
    std::string name = in.Str(12);
    std::string value = in.Str(12);
    lset.push_back({std::move(name), std::move(value)});
  }
  std::vector<RelabelConfig> rules;
  const int nrules = in.Byte() % 5;
  for (int i = 0; i < nrules; ++i) {
    RelabelConfig c;
    c.action = kActions[in.Byte() % 11];
    const uint8_t mask = in.Byte();
    if (mask & 0x01) {
      const int count = in.Byte() % 4;
      for (int j = 0; j < count; ++j) {
        const uint8_t b = in.Byte();
        if ((b & 0x80) && !lset.empty()) {
          c.source_labels.push_back(lset[b % lset.size()].name);
        } else {
          c.source_labels.push_back(in.Str(12));
        }
      }
    }
    if (mask & 0x02) c.separator = in.Str(4);
    if (mask & 0x04) c.regex = in.Str(64);
    if (mask & 0x08) {
      const uint8_t m = in.Byte();
      c.modulus = (m & 0x80) ? in.U64() : m % 16;
    }
    if (mask & 0x10) c.target_label = in.Str(16);
    if (mask & 0x20) c.replacement = in.Str(16);
    rules.push_back(std::move(c));
  }

  // ParseAction on arbitrary text.
  auto parsed = ferry::relabel::ParseAction(rules.empty() ? "" : rules[0].target_label);
  parsed.IgnoreError();  // only "does not crash" is checked here

  bool all_valid = true;
  for (const RelabelConfig& c : rules) all_valid &= ferry::relabel::Validate(c).ok();
  auto compiled = ferry::relabel::Relabeler::Compile(rules);
  Require(compiled.ok() == all_valid, "Compile and Validate disagree");
  if (!compiled.ok()) return 0;

  for (const RelabelConfig& c : rules) {
    auto rule = ferry::relabel::internal::CompiledRule::Build(c);
    Require(rule.ok(), "Build failed on a valid rule");
    const RE2& re = *(*rule)->re;
    for (const auto& l : lset) {
      for (const std::string* s : {&l.name, &l.value}) {
        Require((*rule)->Matches(*s) == RE2::PartialMatch(*s, re), "prefilter changed a match");
      }
    }
  }

  ferry::labels::LabelsBuilder lb;
  for (const auto& l : lset) lb.Set(l.name, l.value);
  if ((*compiled)->Process(&lb)) {
    ferry::labels::Labels out = lb.Build();
    for (size_t i = 0; i < out.size(); ++i) {
      Require(!out[i].value.empty(), "empty value kept");
      if (i > 0) Require(out[i - 1].name < out[i].name, "unsorted or duplicate names");
    }
  }
  return 0;
}
