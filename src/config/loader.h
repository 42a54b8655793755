// Loading prometheus.yml: the entry points of src/config.
//
// The file is read as Prometheus reads it in agent mode (config.LoadFile with
// agentMode=true): strict YAML (unknown or duplicate keys are errors),
// Prometheus' defaults, global values inherited into every scrape config,
// relative *_file paths joined with the file's directory, scrape_config_files
// expanded and merged, and rule_files / alerting / remote_read refused.
// Where ferry deliberately differs (unsupported features refused by name,
// stricter URL and queue checks) docs/configuration.md lists it.
//
// Every error is kInvalidArgument (kNotFound / kIOError when the main file
// cannot be read) with a message "FILE:LINE:COL: field.path: what", e.g.
//   prometheus.yml:12:5: scrape_configs[0].scrape_timeout: scrape timeout 15s
//   greater than scrape interval 10s for scrape config with job name "node"
//
// Thread-safety: the functions are reentrant; they read files but keep no
// state.
#pragma once

#include <string>
#include <string_view>

#include "src/base/status.h"
#include "src/config/config.h"

namespace ferry::config {

// Reads and loads "path". Relative paths inside (tls files, bearer_token_file,
// file_sd files, scrape_config_files patterns, ...) are resolved against the
// directory of "path"; Config::source_file is "path".
Result<Config> LoadFile(const std::string& path);

// Loads "yaml". "filename" is used in error messages and as source_file;
// relative paths and scrape_config_files globs resolve against "base_dir"
// ("" leaves relative paths as they are and globs relative to the working
// directory).
Result<Config> LoadString(std::string_view yaml, const std::string& filename,
                          const std::string& base_dir);

}  // namespace ferry::config
