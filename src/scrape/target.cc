#include "src/scrape/target.h"

#include <cctype>

#include "src/config/duration.h"

namespace ferry::scrape {
namespace {

constexpr std::string_view kAddress = "__address__";
constexpr std::string_view kScheme = "__scheme__";
constexpr std::string_view kMetricsPath = "__metrics_path__";
constexpr std::string_view kInterval = "__scrape_interval__";
constexpr std::string_view kTimeout = "__scrape_timeout__";
constexpr std::string_view kParamPrefix = "__param_";
constexpr std::string_view kMetaPrefix = "__meta_";

uint64_t Fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}
constexpr uint64_t kFnvOffset = 14695981039346656037ull;

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Percent-encodes a query component like Go's url.QueryEscape.
std::string QueryEscape(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Go's Duration.String()-like rendering used in __scrape_interval__ labels
// is Prometheus' model.Duration String ("1m", "15s", "1m30s").
std::string DurationLabel(std::chrono::milliseconds d) { return config::FormatDuration(d); }

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (int k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += n;
  }
  return true;
}

}  // namespace

labels::Labels Target::SampleLabels() const {
  std::vector<labels::Label> out;
  for (const labels::Label& l : labels) {
    if (!StartsWith(l.name, "__")) out.push_back(l);
  }
  return labels::Labels::FromSorted(std::move(out));
}

BuildResult BuildTarget(const labels::Labels& target_labels, const config::ScrapeConfig& cfg,
                        const relabel::Relabeler* relabeler) {
  BuildResult res;
  labels::LabelsBuilder lb(target_labels);
  auto set_default = [&lb](std::string_view name, const std::string& value) {
    if (lb.Get(name).empty()) lb.Set(name, value);
  };
  set_default("job", cfg.job_name);
  set_default(kInterval, DurationLabel(cfg.scrape_interval));
  set_default(kTimeout, DurationLabel(cfg.scrape_timeout));
  set_default(kMetricsPath, cfg.metrics_path);
  set_default(kScheme, cfg.scheme);
  for (const auto& [name, values] : cfg.params) {
    if (!values.empty()) lb.Set(std::string(kParamPrefix) + name, values.front());
  }
  res.discovered_labels = lb.Build();
  if (relabeler && !relabeler->Process(&lb)) return res;  // dropped

  std::string address(lb.Get(kAddress));
  if (address.empty()) {
    res.status = Status::InvalidArgument("no address");
    return res;
  }
  if (address.find('/') != std::string::npos) {
    res.status = Status::InvalidArgument("\"" + address + "\" is not a valid hostname");
    return res;
  }
  auto interval = config::ParseDuration(lb.Get(kInterval));
  if (!interval.ok()) {
    res.status = Status::InvalidArgument("error parsing scrape interval: " +
                                         interval.status().message());
    return res;
  }
  if (interval->count() == 0) {
    res.status = Status::InvalidArgument("scrape interval cannot be 0");
    return res;
  }
  auto timeout = config::ParseDuration(lb.Get(kTimeout));
  if (!timeout.ok()) {
    res.status = Status::InvalidArgument("error parsing scrape timeout: " +
                                         timeout.status().message());
    return res;
  }
  if (timeout->count() == 0) {
    res.status = Status::InvalidArgument("scrape timeout cannot be 0");
    return res;
  }
  if (*timeout > *interval) {
    res.status = Status::InvalidArgument(
        "scrape timeout cannot be greater than scrape interval (\"" + std::string(lb.Get(kTimeout)) +
        "\" > \"" + std::string(lb.Get(kInterval)) + "\")");
    return res;
  }
  // Meta labels are deleted after relabeling.
  std::vector<std::string> meta;
  lb.Range([&meta](std::string_view name, std::string_view) {
    if (StartsWith(name, kMetaPrefix)) meta.emplace_back(name);
  });
  for (const auto& m : meta) lb.Del(m);
  if (lb.Get("instance").empty()) lb.Set("instance", address);

  Target t;
  t.labels = lb.Build();
  for (const labels::Label& l : t.labels) {
    if (!ValidUtf8(l.value)) {
      res.status = Status::InvalidArgument("invalid label value for \"" + l.name + "\": \"" +
                                           l.value + "\"");
      return res;
    }
  }
  t.discovered_labels = res.discovered_labels;
  t.interval = *interval;
  t.timeout = *timeout;

  // URL: scheme://address/path?params, where __param_* override cfg.params.
  std::map<std::string, std::vector<std::string>> params = cfg.params;
  for (const labels::Label& l : t.labels) {
    if (StartsWith(l.name, kParamPrefix)) {
      std::string name = l.name.substr(kParamPrefix.size());
      auto& v = params[name];
      if (v.empty()) {
        v.push_back(l.value);
      } else {
        v[0] = l.value;
      }
    }
  }
  std::string path(t.labels.Get(kMetricsPath));
  if (path.empty() || path[0] != '/') path = "/" + path;
  t.url = std::string(t.labels.Get(kScheme)) + "://" + address + path;
  char sep = path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, values] : params) {  // std::map: sorted like Go's url.Values.Encode
    for (const auto& v : values) {
      t.url += sep;
      t.url += QueryEscape(name) + "=" + QueryEscape(v);
      sep = '&';
    }
  }
  uint64_t h = kFnvOffset;
  h = Fnv1a(h, std::to_string(t.labels.Hash()));
  h = Fnv1a(h, t.url);
  t.hash = h;
  res.target = std::move(t);
  return res;
}

std::chrono::nanoseconds ScrapeOffset(uint64_t target_hash, uint64_t seed,
                                      std::chrono::nanoseconds interval, int64_t now_ns) {
  int64_t iv = interval.count();
  if (iv <= 0) return std::chrono::nanoseconds(0);
  int64_t base = iv - now_ns % iv;
  int64_t offset = static_cast<int64_t>((target_hash ^ seed) % static_cast<uint64_t>(iv));
  int64_t next = base + offset;
  if (next > iv) next -= iv;
  return std::chrono::nanoseconds(next);
}

uint64_t OffsetSeed(const std::string& hostname, const labels::Labels& external_labels) {
  uint64_t h = Fnv1a(kFnvOffset, hostname);
  return Fnv1a(h, external_labels.ToString());
}

}  // namespace ferry::scrape
