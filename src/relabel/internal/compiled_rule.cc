#include "src/relabel/internal/compiled_rule.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>
#include <utility>

#include "src/relabel/internal/go_strings.h"
#include "src/relabel/internal/regex.h"

namespace ferry::relabel::internal {
namespace {

// Submatch arrays up to this size live on the stack.
constexpr int kInlineSubmatches = 16;

// Per-thread scratch space, reused across calls so the hot path does not
// allocate once the buffers have grown.
struct Scratch {
  std::string joined;   // joined source values
  std::string target;   // expanded target label
  std::string value;    // expanded replacement / mapped case / hash
  std::vector<re2::StringPiece> submatches;
  std::vector<labels::Label> pending;  // labelmap results, labeldrop/keep names
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// The joined value of the rule's source labels. For a single source label
// the view points into "lb" and stays valid until "lb" is modified.
std::string_view JoinSources(const CompiledRule& r, const labels::LabelsBuilder& lb,
                             std::string* buf) {
  if (r.source_labels.size() == 1) return lb.Get(r.source_labels[0]);
  buf->clear();
  for (size_t i = 0; i < r.source_labels.size(); ++i) {
    if (i > 0) buf->append(r.separator);
    buf->append(lb.Get(r.source_labels[i]));
  }
  return *buf;
}

re2::StringPiece* Submatches(int n, std::array<re2::StringPiece, kInlineSubmatches>* inline_buf,
                             Scratch* scratch) {
  if (n <= kInlineSubmatches) return inline_buf->data();
  scratch->submatches.resize(static_cast<size_t>(n));
  return scratch->submatches.data();
}

void ApplyReplace(const CompiledRule& r, std::string_view val, labels::LabelsBuilder* lb,
                  Scratch* scratch) {
  // Prometheus' fast path: with the default regex and no template variables
  // an empty input sets (or deletes) the target to the literal replacement.
  if (val.empty() && r.default_regex && !r.target.has_dollar() && !r.replacement.has_dollar()) {
    lb->Set(r.target_label, r.replacement.literal());
    return;
  }
  if (r.has_range && (val < r.range_min || val > r.range_max)) return;
  std::array<re2::StringPiece, kInlineSubmatches> inline_buf;
  re2::StringPiece* groups = Submatches(r.submatches, &inline_buf, scratch);
  if (!r.re->Match(re2::StringPiece(val.data(), val.size()), 0, val.size(), RE2::UNANCHORED,
                   groups, r.submatches)) {
    return;  // no match: no replacement
  }
  std::string& target = scratch->target;
  target.clear();
  r.target.Expand(groups, r.submatches, &target);
  if (!IsValidLabelName(target)) return;
  std::string& res = scratch->value;
  res.clear();
  r.replacement.Expand(groups, r.submatches, &res);
  // An empty value deletes "target" (LabelsBuilder::Set's contract).
  lb->Set(target, res);
}

// Go's Regexp.ReplaceAllString(src, replacement) on the anchored program,
// including its rule that an empty match right after a match is skipped. For
// an ordinary regex the anchors allow one match only and the loop runs once.
void ReplaceAll(const CompiledRule& r, std::string_view src, std::string* out, Scratch* scratch) {
  out->clear();
  std::array<re2::StringPiece, kInlineSubmatches> inline_buf;
  const int n = std::max(r.submatches, 1);
  re2::StringPiece* groups = Submatches(n, &inline_buf, scratch);
  const re2::StringPiece text(src.data(), src.size());
  size_t last_match_end = 0;
  size_t search_pos = 0;
  while (search_pos <= src.size()) {
    if (!r.re->Match(text, search_pos, src.size(), RE2::UNANCHORED, groups, n)) break;
    const size_t a0 = static_cast<size_t>(groups[0].data() - src.data());
    const size_t a1 = a0 + groups[0].size();
    out->append(src.substr(last_match_end, a0 - last_match_end));
    if (a1 > last_match_end || a0 == 0) r.replacement.Expand(groups, n, out);
    last_match_end = a1;
    const size_t width = static_cast<size_t>(GoRuneWidth(src.substr(search_pos)));
    if (search_pos + width > a1) {
      search_pos += width;
    } else if (search_pos + 1 > a1) {
      ++search_pos;
    } else {
      search_pos = a1;
    }
  }
  out->append(src.substr(last_match_end));
}

void ApplyLabelMap(const CompiledRule& r, labels::LabelsBuilder* lb, Scratch* scratch) {
  // Every name is tested against the rule's input set, in name order, and
  // the results are applied afterwards in that order (Prometheus 2.42
  // semantics; see docs/relabeling.md for collisions).
  std::vector<labels::Label>& pending = scratch->pending;
  size_t used = 0;
  lb->Range([&](std::string_view name, std::string_view value) {
    if (!r.Matches(name)) return;
    if (used == pending.size()) pending.emplace_back();
    labels::Label& p = pending[used++];
    ReplaceAll(r, name, &p.name, scratch);
    p.value.assign(value);
  });
  for (size_t i = 0; i < used; ++i) lb->Set(pending[i].name, pending[i].value);
}

void ApplyLabelFilter(const CompiledRule& r, bool drop_matching, labels::LabelsBuilder* lb,
                      Scratch* scratch) {
  std::vector<labels::Label>& pending = scratch->pending;
  size_t used = 0;
  lb->Range([&](std::string_view name, std::string_view) {
    if (r.Matches(name) != drop_matching) return;
    if (used == pending.size()) pending.emplace_back();
    pending[used++].name.assign(name);
  });
  // Back to front: each erase then moves only the labels after it, which
  // are few when, as usual, a whole block of names (__meta_*) goes.
  for (size_t i = used; i > 0; --i) lb->Del(pending[i - 1].name);
}

}  // namespace

Result<std::unique_ptr<CompiledRule>> CompiledRule::Build(const RelabelConfig& c) {
  auto r = std::make_unique<CompiledRule>();
  r->action = c.action;
  r->source_labels = c.source_labels;
  r->separator = c.separator;
  r->re = CompileAnchored(c.regex);
  if (!r->re->ok()) {
    return Status::InvalidArgument("'regex' does not compile: " + r->re->error());
  }
  r->default_regex = c.regex == RelabelConfig().regex;
  r->modulus = c.modulus;
  r->target_label = c.target_label;
  r->target = ExpandTemplate::Parse(c.target_label, *r->re);
  r->replacement = ExpandTemplate::Parse(c.replacement, *r->re);
  r->submatches = std::max(r->target.needed_groups(), r->replacement.needed_groups());
  // The range is only sound when the anchors wrap the whole regex, which
  // holds when the regex parses on its own ("a)|(b" does not, and then
  // "^(?:a)|(b)$" can match in the middle of a string).
  if (RE2(c.regex, GoRegexpOptions()).ok() &&
      r->re->PossibleMatchRange(&r->range_min, &r->range_max, 64)) {
    r->has_range = true;
  }
  if (c.action == Action::kHashMod && !Md5Available()) {
    return Status::InvalidArgument(
        "'action' hashmod needs MD5, which this OpenSSL configuration does not provide");
  }
  return r;
}

bool CompiledRule::Matches(std::string_view s) const {
  if (has_range && (s < range_min || s > range_max)) return false;
  return re->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::UNANCHORED, nullptr,
                   0);
}

bool CompiledRule::Apply(labels::LabelsBuilder* lb) const {
  Scratch& scratch = ThreadScratch();
  switch (action) {
    case Action::kDrop:
      return !Matches(JoinSources(*this, *lb, &scratch.joined));
    case Action::kKeep:
      return Matches(JoinSources(*this, *lb, &scratch.joined));
    case Action::kDropEqual:
      return lb->Get(target_label) != JoinSources(*this, *lb, &scratch.joined);
    case Action::kKeepEqual:
      return lb->Get(target_label) == JoinSources(*this, *lb, &scratch.joined);
    case Action::kReplace:
      ApplyReplace(*this, JoinSources(*this, *lb, &scratch.joined), lb, &scratch);
      return true;
    case Action::kLowercase:
      GoToLower(JoinSources(*this, *lb, &scratch.joined), &scratch.value);
      lb->Set(target_label, scratch.value);
      return true;
    case Action::kUppercase:
      GoToUpper(JoinSources(*this, *lb, &scratch.joined), &scratch.value);
      lb->Set(target_label, scratch.value);
      return true;
    case Action::kHashMod: {
      uint64_t sum = 0;
      // Build() checked MD5 is available; EVP_Digest has no other failure
      // mode for in-memory input, so "sum" is set.
      HashModSum(JoinSources(*this, *lb, &scratch.joined), &sum);
      char buf[24];
      auto res = std::to_chars(buf, buf + sizeof(buf), sum % modulus);
      lb->Set(target_label, std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
      return true;
    }
    case Action::kLabelMap:
      ApplyLabelMap(*this, lb, &scratch);
      return true;
    case Action::kLabelDrop:
      ApplyLabelFilter(*this, /*drop_matching=*/true, lb, &scratch);
      return true;
    case Action::kLabelKeep:
      ApplyLabelFilter(*this, /*drop_matching=*/false, lb, &scratch);
      return true;
  }
  return true;
}

}  // namespace ferry::relabel::internal
