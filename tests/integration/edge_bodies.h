// Generated exposition bodies for the differential scrape test: each body
// depends only on the scrape number "n" (and the fixed base "t0_ms" of its
// exposed timestamps), so two agents scraping at different instants see the
// same sequence and their stored values can be compared scrape by scrape.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "tests/integration/e2e_util.h"

namespace ferry::e2e {

// The exposed timestamp of scrape "n": t0_ms + n * 100.
inline int64_t ExposedTs(int64_t t0_ms, int64_t n) { return t0_ms + n * 100; }

inline std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Prometheus text format 0.0.4 edge cases.
inline TargetServer::Body TextBody(int64_t t0_ms, int64_t n) {
  std::string b;
  b += "# HELP edge_scrape_id Number of this scrape for the scraping agent.\n";
  b += "# TYPE edge_scrape_id counter\n";
  b += "edge_scrape_id " + Num(n) + "\n";
  b += "# HELP edge_escapes_total Escapes in label values and help: \\\\ \\n.\n";
  b += "# TYPE edge_escapes_total counter\n";
  b += "edge_escapes_total{path=\"C:\\\\dir\\\\file\",quote=\"say \\\"hi\\\"\",nl=\"two\\nlines\","
       "utf=\"gr\xc3\xbc\xc3\x9f" "e \xe2\x98\x83\"} " + Num(2 * n) + "\n";
  b += "# TYPE edge_collide gauge\n";
  b += "edge_collide{job=\"from_body\",instance=\"body:1\"} " + Num(0.5 * n) + "\n";
  b += "# TYPE edge_special gauge\n";
  b += "edge_special{kind=\"nan\"} NaN\n";
  b += "edge_special{kind=\"pinf\"} +Inf\n";
  b += "edge_special{kind=\"ninf\"} -Inf\n";
  b += "edge_special{kind=\"tiny\"} 1e-300\n";
  b += "edge_special{kind=\"neg\"} " + Num(-0.125 * n) + "\n";
  b += "edge_special{kind=\"big\"} 1.7976931348623157e+308\n";
  b += "edge_ts_ms " + Num(3 * n) + " " + std::to_string(ExposedTs(t0_ms, n)) + "\n";
  b += "# TYPE edge_hist histogram\n";
  b += "edge_hist_bucket{le=\"0.1\"} " + Num(n) + "\n";
  b += "edge_hist_bucket{le=\"1\"} " + Num(2 * n) + "\n";
  b += "edge_hist_bucket{le=\"+Inf\"} " + Num(3 * n) + "\n";
  b += "edge_hist_sum " + Num(0.25 * n) + "\n";
  b += "edge_hist_count " + Num(3 * n) + "\n";
  b += "# TYPE edge_summary summary\n";
  b += "edge_summary{quantile=\"0.5\"} " + Num(n) + "\n";
  b += "edge_summary{quantile=\"0.99\"} " + Num(2 * n) + "\n";
  b += "edge_summary_sum " + Num(10 * n) + "\n";
  b += "edge_summary_count " + Num(n) + "\n";
  b += "edge_drop_me " + Num(n) + "\n";
  b += "edge_relabel{orig=\"x\"} " + Num(n) + "\n";
  b += "untyped_metric{a=\"b\"}\t" + Num(7 * n) + "\n";
  if (n <= 3) b += "edge_vanish " + Num(n) + "\n";
  return {"text/plain; version=0.0.4; charset=utf-8", b};
}

// OpenMetrics 1.0 edge cases.
inline TargetServer::Body OpenMetricsBody(int64_t t0_ms, int64_t n) {
  std::string b;
  b += "# TYPE om_requests counter\n";
  b += "# HELP om_requests Requests handled.\n";
  b += "om_requests_total{code=\"200\"} " + Num(n) +
       " # {trace_id=\"abc123\"} 1.0 1700000000.000\n";
  b += "om_requests_created{code=\"200\"} 1700000000.5\n";
  b += "# TYPE om_gauge gauge\n";
  b += "om_gauge{a=\"x\\\"y\\\\z\"} " + Num(1.5 * n) + "\n";
  b += "# TYPE om_info info\n";
  b += "om_info_info{version=\"1.2.3\"} 1\n";
  b += "# TYPE om_state stateset\n";
  b += "om_state{om_state=\"on\"} 1\n";
  b += "om_state{om_state=\"off\"} 0\n";
  b += "# TYPE om_hist histogram\n";
  b += "om_hist_bucket{le=\"1.0\"} " + Num(n) + "\n";
  b += "om_hist_bucket{le=\"+Inf\"} " + Num(2 * n) + "\n";
  b += "om_hist_count " + Num(2 * n) + "\n";
  b += "om_hist_sum 3.5\n";
  b += "om_hist_created 1700000000.25\n";
  b += "# TYPE om_ts gauge\n";
  char ts[64];
  std::snprintf(ts, sizeof ts, "%lld.%03lld", static_cast<long long>(ExposedTs(t0_ms, n) / 1000),
                static_cast<long long>(ExposedTs(t0_ms, n) % 1000));
  b += "om_ts " + Num(n) + " " + ts + "\n";
  b += "# TYPE om_special gauge\n";
  b += "om_special{k=\"nan\"} NaN\n";
  b += "om_special{k=\"inf\"} +Inf\n";
  b += "om_special{k=\"ninf\"} -Inf\n";
  b += "# EOF\n";
  return {"application/openmetrics-text; version=1.0.0; charset=utf-8", b};
}

inline TargetServer::Body HonorBody(int64_t t0_ms, int64_t n) {
  return {"text/plain; version=0.0.4",
          "honored{job=\"from_target\",instance=\"t:1\"} " + Num(n) + "\nhonored_plain " + Num(n) +
              "\n"};
}

inline TargetServer::Body GoneBody(int64_t t0_ms, int64_t n) {
  return {"text/plain; version=0.0.4", "gone_metric{k=\"v\"} " + Num(n) + "\ngone_ts " + Num(n) +
                                           " " + std::to_string(ExposedTs(t0_ms, n)) + "\n"};
}

}  // namespace ferry::e2e
