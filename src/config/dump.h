// ToYaml: the loaded configuration as YAML, for /api/v1/status/config and
// `ferry check config --dump`.
//
// Like Prometheus' Config.String(): every default is written out, the
// effective (inherited) values appear in each scrape config, and secrets
// (passwords, credentials, bearer tokens, client secrets, TLS keys, secret
// header values) print as "<secret>". Jobs from scrape_config_files appear
// merged into scrape_configs (the patterns become a comment). The output
// loads back with
// LoadString() to the same Config apart from the masked secrets.
//
// Thread-safety: pure function.
#pragma once

#include <string>

#include "src/config/config.h"

namespace ferry::config {

inline constexpr std::string_view kSecretMask = "<secret>";

std::string ToYaml(const Config& config);

}  // namespace ferry::config
