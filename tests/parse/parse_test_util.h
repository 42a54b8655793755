// Test helpers for the parse module: run a parser to the end and record
// every entry, so a test compares a whole body at once.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "src/labels/labels.h"
#include "src/parse/parser.h"

namespace ferry::parse::testing {

// One entry as a test expects it. Unused fields stay at their defaults.
struct Want {
  Entry entry = Entry::kSeries;
  std::string m;  // kSeries: Series(); kHelp/kType/kUnit: FamilyName()
  double v = 0;
  std::optional<int64_t> t;
  labels::Labels lset;
  MetricType typ = MetricType::kUnknown;
  std::string text;  // kHelp: Help(); kUnit: Unit(); kComment: Comment()
  std::optional<parse::Exemplar> e;
};

inline Want Series(std::string m, double v, labels::Labels lset, std::optional<int64_t> t = {},
                   std::optional<parse::Exemplar> e = {}) {
  Want w;
  w.entry = Entry::kSeries;
  w.m = std::move(m);
  w.v = v;
  w.lset = std::move(lset);
  w.t = t;
  w.e = std::move(e);
  return w;
}
inline Want Help(std::string m, std::string text) {
  Want w;
  w.entry = Entry::kHelp;
  w.m = std::move(m);
  w.text = std::move(text);
  return w;
}
inline Want Type(std::string m, MetricType typ) {
  Want w;
  w.entry = Entry::kType;
  w.m = std::move(m);
  w.typ = typ;
  return w;
}
inline Want Unit(std::string m, std::string text) {
  Want w;
  w.entry = Entry::kUnit;
  w.m = std::move(m);
  w.text = std::move(text);
  return w;
}
inline Want Comment(std::string text) {
  Want w;
  w.entry = Entry::kComment;
  w.text = std::move(text);
  return w;
}
inline parse::Exemplar Ex(labels::Labels l, double v, std::optional<int64_t> ts = {}) {
  return parse::Exemplar{std::move(l), v, ts};
}

// Reads "p" to kEof (or the first error, returned as the Status) and checks
// each entry against "want" in order.
inline Status ExpectEntries(Parser& p, const std::vector<Want>& want) {
  size_t i = 0;
  for (;;) {
    Result<Entry> r = p.Next();
    if (!r.ok()) return r.status();
    if (*r == Entry::kEof) break;
    if (i >= want.size()) {
      ADD_FAILURE() << "unexpected extra entry " << static_cast<int>(*r) << " series "
                    << p.Series();
      return Status::Internal("extra entry");
    }
    const Want& w = want[i];
    SCOPED_TRACE("entry " + std::to_string(i) + " want " + w.m);
    EXPECT_EQ(static_cast<int>(*r), static_cast<int>(w.entry));
    switch (*r) {
      case Entry::kSeries: {
        EXPECT_EQ(p.Series(), w.m);
        if (std::isnan(w.v)) {
          EXPECT_TRUE(std::isnan(p.Value()));
        } else {
          EXPECT_EQ(p.Value(), w.v);
        }
        EXPECT_EQ(p.Timestamp(), w.t);
        labels::LabelsBuilder b;
        p.Labels(&b);
        EXPECT_EQ(b.Build(), w.lset) << b.Build().ToString() << " vs " << w.lset.ToString();
        parse::Exemplar e;
        bool has = p.Exemplar(&e);
        EXPECT_EQ(has, w.e.has_value());
        if (has && w.e) {
          EXPECT_EQ(e.labels, w.e->labels);
          EXPECT_EQ(e.value, w.e->value);
          EXPECT_EQ(e.timestamp_ms, w.e->timestamp_ms);
          EXPECT_FALSE(p.Exemplar(&e)) << "an exemplar is returned once";
        }
        break;
      }
      case Entry::kHelp:
        EXPECT_EQ(p.FamilyName(), w.m);
        EXPECT_EQ(p.Help(), w.text);
        break;
      case Entry::kType:
        EXPECT_EQ(p.FamilyName(), w.m);
        EXPECT_EQ(p.Type(), w.typ);
        break;
      case Entry::kUnit:
        EXPECT_EQ(p.FamilyName(), w.m);
        EXPECT_EQ(p.Unit(), w.text);
        break;
      case Entry::kComment:
        EXPECT_EQ(p.Comment(), w.text);
        break;
      case Entry::kEof:
        break;
    }
    ++i;
  }
  EXPECT_EQ(i, want.size()) << "fewer entries than expected";
  return Status::Ok();
}

// Runs "p" until kEof or an error; returns the error ("" at a clean kEof).
inline std::string FirstError(Parser& p) {
  for (int guard = 0; guard < 1'000'000; ++guard) {
    Result<Entry> r = p.Next();
    if (!r.ok()) return r.status().message();
    if (*r == Entry::kEof) return "";
  }
  return "parser did not terminate";
}

inline labels::Labels L(std::initializer_list<std::pair<std::string_view, std::string_view>> p) {
  return labels::Labels::Of(p);
}

}  // namespace ferry::parse::testing
