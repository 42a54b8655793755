// Internal to src/relabel: how a relabel "regex" becomes an RE2 program, and
// the label-name checks shared by Validate() and Relabeler::Compile().
//
// Both paths must use exactly these helpers so that everything Validate()
// accepts, Compile() accepts too.
//
// Thread-safety: free functions without shared mutable state.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <re2/re2.h>

namespace ferry::relabel::internal {

// Prometheus compiles "^(?:" + regex + ")$" (model/relabel NewRegexp) and
// searches it unanchored; the same string is compiled here.
std::string AnchoredPattern(std::string_view regex);

// RE2 options matching Go's regexp defaults for this use: UTF-8, Perl
// classes, leftmost-first, no logging to stderr.
RE2::Options GoRegexpOptions();

// Compiles AnchoredPattern("regex"). Never null; check ok() and error().
std::unique_ptr<RE2> CompileAnchored(std::string_view regex);

// True when "regex" uses "\C" (any byte) outside a \Q...\E quote. RE2
// accepts it; Go's regexp does not, so neither does Validate().
bool UsesAnyByteEscape(std::string_view regex);

// Prometheus' legacy label name rule: [a-zA-Z_][a-zA-Z0-9_]*.
bool IsValidLabelName(std::string_view name);

// Prometheus' relabelTarget pattern, which a replace target_label containing
// "$" and a labelmap replacement must match:
//   ^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$
bool IsValidRelabelTarget(std::string_view tmpl);

}  // namespace ferry::relabel::internal
