// Shared driver of the parse fuzzers: walks a parser to its end, touching
// every accessor, and aborts when an invariant of the Parser contract breaks.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "src/labels/labels.h"
#include "src/parse/parser.h"

namespace ferry::parse::fuzz {

inline void Require(bool cond) {
  if (!cond) std::abort();
}

inline bool Inside(std::string_view view, std::string_view body) {
  return view.empty() ||
         (view.data() >= body.data() && view.data() + view.size() <= body.data() + body.size());
}

inline void Drain(Parser& p, std::string_view body) {
  // Each Next() consumes at least one byte or ends, so this bound is generous.
  for (size_t i = 0; i <= body.size() + 1; ++i) {
    Result<Entry> e = p.Next();
    if (!e.ok()) {
      Require(e.status().IsInvalidArgument());
      Require(e.status().message().rfind("line ", 0) == 0);
      return;
    }
    switch (*e) {
      case Entry::kEof:
        return;
      case Entry::kSeries: {
        Require(Inside(p.Series(), body) && Inside(p.MetricName(), body));
        Require(!p.MetricName().empty());
        // MetricName() lies inside Series(): first for legacy names, inside
        // the braces for quoted names.
        Require(p.MetricName().data() >= p.Series().data() &&
                p.MetricName().data() + p.MetricName().size() <=
                    p.Series().data() + p.Series().size());
        if (p.Series().front() != '{') {
          Require(p.Series().substr(0, p.MetricName().size()) == p.MetricName());
        }
        labels::LabelsBuilder b;
        p.Labels(&b);
        labels::Labels ls = b.Build();
        Require(!ls.Get(labels::kMetricName).empty());
        if (p.MetricName().find('\\') == std::string_view::npos) {
          Require(ls.Get(labels::kMetricName) == p.MetricName());
        }
        Require(ls.FirstDuplicateName().empty());
        Exemplar ex;
        if (p.Exemplar(&ex)) {
          Require(!p.Exemplar(&ex));
          Require(ex.labels.FirstDuplicateName().empty());
          if (std::isnan(ex.value)) Require(std::bit_cast<uint64_t>(ex.value) == kNormalNaNBits);
        }
        // Every NaN is Prometheus' normal NaN, never a stale marker.
        if (std::isnan(p.Value())) Require(std::bit_cast<uint64_t>(p.Value()) == kNormalNaNBits);
        (void)p.SeriesType();
        (void)p.CreatedTimestamp();
        (void)p.Timestamp();
        break;
      }
      case Entry::kHelp:
      case Entry::kType:
      case Entry::kUnit:
        Require(Inside(p.FamilyName(), body) && !p.FamilyName().empty());
        Require(Inside(p.Unit(), body));
        (void)p.Help().size();
        break;
      case Entry::kComment:
        Require(Inside(p.Comment(), body));
        break;
    }
  }
  std::abort();  // did not terminate
}

}  // namespace ferry::parse::fuzz
