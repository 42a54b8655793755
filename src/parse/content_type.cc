#include "src/parse/content_type.h"

#include <array>
#include <cctype>
#include <vector>

#include "src/base/check.h"

namespace ferry::parse {
namespace {

constexpr std::array<ScrapeProtocol, 4> kDefaultProtocols = {
    ScrapeProtocol::kOpenMetricsText1_0_0,
    ScrapeProtocol::kOpenMetricsText0_0_1,
    ScrapeProtocol::kPrometheusText1_0_0,
    ScrapeProtocol::kPrometheusText0_0_4,
};
constexpr int kKnownProtocols = 5;

struct ProtocolInfo {
  ScrapeProtocol protocol;
  std::string_view name;
  std::string_view header;  // Prometheus' ScrapeProtocolsHeaders value
  bool escaping;            // gets ";escaping=..." (the 1.0.0 text formats)
};
constexpr ProtocolInfo kProtocols[kKnownProtocols] = {
    {ScrapeProtocol::kPrometheusProto, "PrometheusProto",
     "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
     false},
    {ScrapeProtocol::kPrometheusText0_0_4, "PrometheusText0.0.4", "text/plain;version=0.0.4",
     false},
    {ScrapeProtocol::kPrometheusText1_0_0, "PrometheusText1.0.0", "text/plain;version=1.0.0",
     true},
    {ScrapeProtocol::kOpenMetricsText0_0_1, "OpenMetricsText0.0.1",
     "application/openmetrics-text;version=0.0.1", false},
    {ScrapeProtocol::kOpenMetricsText1_0_0, "OpenMetricsText1.0.0",
     "application/openmetrics-text;version=1.0.0", true},
};

const ProtocolInfo& Info(ScrapeProtocol p) {
  for (const ProtocolInfo& i : kProtocols) {
    if (i.protocol == p) return i;
  }
  FERRY_CHECK(false);
  return kProtocols[0];
}

// RFC 7230 tchar.
bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// Like Go's mime.ParseMediaType, reduced to what the choice needs: returns
// the lower-cased "type/subtype", or an empty string when "content_type" is
// not a well-formed media type with well-formed parameters.
std::string ParseMediaType(std::string_view content_type) {
  size_t semi = content_type.find(';');
  std::string_view mt = TrimSpace(content_type.substr(0, semi));
  size_t slash = mt.find('/');
  if (slash == std::string_view::npos || !IsToken(mt.substr(0, slash)) ||
      !IsToken(mt.substr(slash + 1))) {
    return {};
  }
  std::string_view rest = semi == std::string_view::npos ? "" : content_type.substr(semi);
  std::vector<std::string> seen;  // parameter names, lower-cased
  while (!rest.empty()) {
    rest.remove_prefix(1);  // ';'
    rest = TrimSpace(rest);
    if (rest.empty()) break;  // a trailing ';' is tolerated, as in Go
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos || !IsToken(TrimSpace(rest.substr(0, eq)))) return {};
    std::string key(TrimSpace(rest.substr(0, eq)));
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const std::string& k : seen) {
      if (k == key) return {};  // Go: "mime: duplicate parameter name"
    }
    seen.push_back(std::move(key));
    rest = TrimSpace(rest.substr(eq + 1));
    if (!rest.empty() && rest.front() == '"') {
      size_t i = 1;
      while (i < rest.size() && rest[i] != '"') i += rest[i] == '\\' ? 2 : 1;
      if (i >= rest.size()) return {};
      rest = TrimSpace(rest.substr(i + 1));
    } else {
      size_t i = 0;
      while (i < rest.size() && IsTokenChar(rest[i])) ++i;
      if (i == 0) return {};
      rest = TrimSpace(rest.substr(i));
    }
    if (!rest.empty() && rest.front() != ';') return {};
  }
  std::string out(mt);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  out.append(s);
  out.push_back('"');
  return out;
}

}  // namespace

std::span<const ScrapeProtocol> DefaultScrapeProtocols() { return kDefaultProtocols; }

std::string_view ScrapeProtocolName(ScrapeProtocol protocol) { return Info(protocol).name; }

Result<ScrapeProtocol> ParseScrapeProtocol(std::string_view name) {
  for (const ProtocolInfo& i : kProtocols) {
    if (i.name == name) return i.protocol;
  }
  return Status::InvalidArgument(
      "unknown scrape protocol " + Quoted(name) +
      ", supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto "
      "PrometheusText0.0.4 PrometheusText1.0.0]");
}

std::string AcceptHeader(std::span<const ScrapeProtocol> protocols, bool utf8_names) {
  FERRY_CHECK(!protocols.empty() && protocols.size() <= kKnownProtocols);
  std::string out;
  int weight = kKnownProtocols + 1;
  for (ScrapeProtocol p : protocols) {
    const ProtocolInfo& info = Info(p);
    out += info.header;
    if (info.escaping) out += utf8_names ? ";escaping=allow-utf-8" : ";escaping=underscores";
    out += ";q=0.";
    out += std::to_string(weight--);
    out += ',';
  }
  out += "*/*;q=0.";
  out += std::to_string(weight);
  return out;
}

std::string_view DefaultAcceptHeader() {
  static const std::string* const kHeader = new std::string(AcceptHeader(kDefaultProtocols));
  return *kHeader;
}

Result<std::unique_ptr<Parser>> NewParserForContentType(std::string_view content_type,
                                                        std::string_view body,
                                                        std::optional<ScrapeProtocol> fallback,
                                                        std::string* warning) {
  std::string problem;
  if (TrimSpace(content_type).empty()) {
    problem = "non-compliant scrape target sending blank Content-Type";
  } else {
    std::string media = ParseMediaType(content_type);
    if (media == "application/openmetrics-text") return NewOpenMetricsParser(body);
    if (media == "text/plain") return NewTextParser(body);
    if (media == "application/vnd.google.protobuf") {
      return Status::InvalidArgument("received protobuf Content-Type " + Quoted(content_type) +
                                     ": ferry parses only the text formats and never asks for "
                                     "protobuf; check the target's content negotiation");
    }
    problem = media.empty() ? "cannot parse Content-Type " + Quoted(content_type)
                            : "received unsupported Content-Type " + Quoted(content_type);
  }
  if (!fallback.has_value()) {
    return Status::InvalidArgument(problem + " and no fallback_scrape_protocol specified for "
                                             "target");
  }
  if (warning != nullptr) {
    *warning = problem + ", using fallback_scrape_protocol " + Quoted(ScrapeProtocolName(*fallback));
  }
  switch (*fallback) {
    case ScrapeProtocol::kOpenMetricsText0_0_1:
    case ScrapeProtocol::kOpenMetricsText1_0_0:
      return NewOpenMetricsParser(body);
    case ScrapeProtocol::kPrometheusText0_0_4:
    case ScrapeProtocol::kPrometheusText1_0_0:
      return NewTextParser(body);
    case ScrapeProtocol::kPrometheusProto:
      break;
  }
  return Status::InvalidArgument(problem + " and fallback_scrape_protocol PrometheusProto is not "
                                           "supported by ferry");
}

}  // namespace ferry::parse
