// Content negotiation for scrapes, as Prometheus 3 does it: the Accept header
// a scrape sends (from the job's scrape_protocols, in order of preference) and
// the choice of parser from the Content-Type of the response.
//
// Both parsers read quoted UTF-8 names (`{"my.metric"}`), so by default the
// protocols that carry an escaping parameter (OpenMetricsText1.0.0,
// PrometheusText1.0.0) send escaping=allow-utf-8, as Prometheus 3 does with
// its default metric_name_validation_scheme (utf8). With the legacy scheme
// Prometheus sends escaping=underscores instead; AcceptHeader() takes that
// choice.
//
// Thread-safety: every function here is thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "src/base/status.h"
#include "src/parse/parser.h"

namespace ferry::parse {

// The scrape_protocols values of Prometheus' configuration.
enum class ScrapeProtocol : uint8_t {
  kPrometheusProto,       // "PrometheusProto" (not parsed by ferry)
  kPrometheusText0_0_4,   // "PrometheusText0.0.4"
  kPrometheusText1_0_0,   // "PrometheusText1.0.0"
  kOpenMetricsText0_0_1,  // "OpenMetricsText0.0.1"
  kOpenMetricsText1_0_0,  // "OpenMetricsText1.0.0"
};

// Prometheus' default scrape_protocols: OpenMetricsText1.0.0,
// OpenMetricsText0.0.1, PrometheusText1.0.0, PrometheusText0.0.4.
std::span<const ScrapeProtocol> DefaultScrapeProtocols();

// The configuration spelling, e.g. "OpenMetricsText1.0.0".
std::string_view ScrapeProtocolName(ScrapeProtocol protocol);
// Parses the configuration spelling (exact match, as Prometheus).
// kInvalidArgument names the supported values.
Result<ScrapeProtocol> ParseScrapeProtocol(std::string_view name);

// The Accept header for "protocols" in order of preference, built like
// Prometheus' acceptHeader(): each protocol's media type with q=0.6, 0.5, ...
// (starting at 0.(number of known protocols + 1)) and a final "*/*".
// "utf8_names" picks escaping=allow-utf-8 (true, Prometheus 3's default) or
// escaping=underscores (false, metric_name_validation_scheme: legacy).
// REQUIRES: "protocols" non-empty, at most 5 entries, no duplicates.
std::string AcceptHeader(std::span<const ScrapeProtocol> protocols, bool utf8_names = true);

// AcceptHeader(DefaultScrapeProtocols()), Prometheus 3's default:
// application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,
// application/openmetrics-text;version=0.0.1;q=0.5,
// text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,
// text/plain;version=0.0.4;q=0.3,*/*;q=0.2  (one line, no spaces)
std::string_view DefaultAcceptHeader();

// Chooses the parser for a response, as Prometheus' textparse.New():
// - "application/openmetrics-text" (any version; parameters are not
//   interpreted) -> OpenMetrics parser;
// - "text/plain" -> text parser;
// - "application/vnd.google.protobuf" -> kInvalidArgument (ferry never asks
//   for protobuf);
// - empty, unparsable or any other media type -> the parser for "fallback"
//   (the job's fallback_scrape_protocol) when set, with a description of the
//   problem in "*warning" (if non-null); without a fallback the scrape fails:
//   kInvalidArgument saying why.
// Media types compare case-insensitively. "body" must outlive the parser.
Result<std::unique_ptr<Parser>> NewParserForContentType(
    std::string_view content_type, std::string_view body,
    std::optional<ScrapeProtocol> fallback = std::nullopt, std::string* warning = nullptr);

}  // namespace ferry::parse
