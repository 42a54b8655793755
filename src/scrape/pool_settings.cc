#include "src/scrape/pool_settings.h"

#include "src/config/dump.h"
#include "src/parse/content_type.h"

namespace ferry::scrape {
namespace {

std::string RulesKey(const std::vector<relabel::RelabelConfig>& rules) {
  std::string k;
  for (const auto& r : rules) {
    for (const auto& s : r.source_labels) k += s + '\x01';
    k += '\x02' + r.separator + '\x02' + r.regex + '\x02' + std::to_string(r.modulus) + '\x02' +
         r.target_label + '\x02' + r.replacement + '\x02' +
         std::string(relabel::ActionName(r.action)) + '\x03';
  }
  return k;
}

}  // namespace

Result<std::shared_ptr<const PoolSettings>> BuildPoolSettings(const config::ScrapeConfig& cfg,
                                                              const std::string& user_agent) {
  auto s = std::make_shared<PoolSettings>();
  s->job = cfg.job_name;
  s->config = std::make_shared<const config::ScrapeConfig>(cfg);
  auto where = "scrape_configs job \"" + cfg.job_name + "\"";
  auto target_rules = relabel::Relabeler::Compile(cfg.relabel_configs);
  if (!target_rules.ok()) return target_rules.status().WithContext(where + ": relabel_configs");
  s->target_relabeler = std::move(target_rules).value();
  auto metric_rules = relabel::Relabeler::Compile(cfg.metric_relabel_configs);
  if (!metric_rules.ok()) {
    return metric_rules.status().WithContext(where + ": metric_relabel_configs");
  }
  s->metric_relabeler = std::move(metric_rules).value();
  if (s->metric_relabeler->empty()) s->metric_relabeler.reset();
  s->http = std::make_unique<httpclient::ClientOptionsSource>(cfg.http);
  // Jobs that validate names the legacy way ask for underscore escaping, as
  // Prometheus does; the others accept UTF-8 names.
  const bool utf8_names = cfg.metric_name_validation_scheme != config::NameValidation::kLegacy;
  if (cfg.scrape_protocols.empty()) {
    s->accept_header = parse::AcceptHeader(parse::DefaultScrapeProtocols(), utf8_names);
  } else {
    std::vector<parse::ScrapeProtocol> protocols;
    for (const auto& name : cfg.scrape_protocols) {
      FERRY_ASSIGN_OR_RETURN(auto p, parse::ParseScrapeProtocol(name));
      protocols.push_back(p);
    }
    s->accept_header = parse::AcceptHeader(protocols, utf8_names);
  }
  s->user_agent = user_agent;
  return std::shared_ptr<const PoolSettings>(std::move(s));
}

std::string Fingerprint(const config::ScrapeConfig& cfg) {
  config::Config one;
  one.scrape_configs.push_back(cfg);
  std::string fp = config::ToYaml(one);  // secrets are masked there: add them
  const config::HttpClientConfig& h = cfg.http;
  fp += '\x00' + h.bearer_token;
  if (h.basic_auth) fp += '\x00' + h.basic_auth->password;
  if (h.authorization) fp += '\x00' + h.authorization->credentials;
  fp += '\x00' + h.tls_config.key;
  for (const auto& [name, header] : h.http_headers) {
    for (const auto& v : header.secrets) fp += '\x00' + name + '=' + v;
  }
  return fp;
}

bool SameSampleSettings(const config::ScrapeConfig& a, const config::ScrapeConfig& b) {
  return a.honor_labels == b.honor_labels && a.honor_timestamps == b.honor_timestamps &&
         a.track_timestamps_staleness == b.track_timestamps_staleness &&
         a.sample_limit == b.sample_limit && a.label_limit == b.label_limit &&
         a.label_name_length_limit == b.label_name_length_limit &&
         a.label_value_length_limit == b.label_value_length_limit &&
         a.fallback_scrape_protocol == b.fallback_scrape_protocol &&
         RulesKey(a.metric_relabel_configs) == RulesKey(b.metric_relabel_configs);
}

}  // namespace ferry::scrape
