#include "src/config/loader.h"

#include <glob.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "src/config/internal/decode.h"
#include "src/config/internal/decoder.h"
#include "src/config/internal/yaml_tree.h"

namespace ferry::config {
namespace {

using internal::Decoder;
using internal::Fields;
using internal::IndexPath;
using internal::Quote;
using internal::YamlMark;
using internal::YamlNode;

std::string Position(const std::string& file, const YamlMark& mark) {
  return file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
}

Status ReadWholeFile(const std::string& path, std::string* out, bool missing_is_not_found) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    // An ifstream "opens" a directory and reads nothing, which would load as
    // an empty (valid) config.
    return Status::InvalidArgument("reading config file " + path + ": is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    std::string msg = "reading config file " + path + ": " + std::strerror(err);
    if (err == ENOENT && missing_is_not_found) return Status::NotFound(std::move(msg));
    return missing_is_not_found ? Status::IOError(std::move(msg))
                                : Status::InvalidArgument(std::move(msg));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("reading config file " + path + ": read failed");
  *out = ss.str();
  return Status::Ok();
}

// Sections that agent mode refuses when they are not empty (Prometheus'
// config.LoadFile with agentMode).
Status CheckAgentMode(const Decoder& d, Fields& f) {
  if (const YamlNode* n = f.GetNonNull("rule_files")) {
    std::vector<std::string> files;
    FERRY_RETURN_IF_ERROR(d.ReadStringList(*n, "rule_files", &files));
    if (!files.empty()) {
      return d.Error(f.KeyMark("rule_files"), "", "field rule_files is not allowed in agent mode");
    }
  }
  if (const YamlNode* n = f.GetNonNull("alerting")) {
    FERRY_ASSIGN_OR_RETURN(Fields a, Fields::Open(d, *n, "alerting", "alerting config"));
    for (const char* key : {"alertmanagers", "alert_relabel_configs"}) {
      if (const YamlNode* list = a.GetNonNull(key)) {
        FERRY_RETURN_IF_ERROR(d.RequireSequence(*list, a.Sub(key)));
        if (!list->items.empty()) {
          return d.Error(f.KeyMark("alerting"), "",
                         "field alerting is not allowed in agent mode");
        }
      }
    }
    FERRY_RETURN_IF_ERROR(a.Finish());
  }
  if (const YamlNode* n = f.GetNonNull("remote_read")) {
    FERRY_RETURN_IF_ERROR(d.RequireSequence(*n, "remote_read"));
    if (!n->items.empty()) {
      return d.Error(f.KeyMark("remote_read"), "", "field remote_read is not allowed in agent mode");
    }
  }
  // Sections that do not apply to an agent and are accepted unread, as
  // Prometheus' agent accepts them: runtime (Go GC), storage (TSDB/exemplar
  // settings), otlp (the OTLP receiver).
  for (const char* key : {"runtime", "storage", "otlp"}) {
    if (const YamlNode* n = f.GetNonNull(key); n != nullptr && n->kind != YamlNode::Kind::kMap) {
      return d.Error(*n, key,
                     "cannot unmarshal " + std::string(n->KindName()) + " " + Quote(n->scalar) +
                         " into " + key);
    }
  }
  if (f.GetNonNull("tracing") != nullptr) {
    return d.Error(f.KeyMark("tracing"), "tracing", "tracing is not supported by ferry");
  }
  return Status::Ok();
}

// Where each job name was first defined, for duplicate errors.
using JobPlaces = std::map<std::string, std::string>;

Status DecodeScrapeList(const Decoder& d, const YamlNode& list, const GlobalConfig& global,
                        JobPlaces* places, std::vector<ScrapeConfig>* out) {
  FERRY_RETURN_IF_ERROR(d.RequireSequence(list, "scrape_configs"));
  for (size_t i = 0; i < list.items.size(); ++i) {
    const std::string path = IndexPath("scrape_configs", i);
    ScrapeConfig sc;
    FERRY_RETURN_IF_ERROR(internal::DecodeScrapeConfig(d, list.items[i], path, global, &sc));
    YamlMark at = list.items[i].mark;
    for (const auto& [k, v] : list.items[i].entries) {
      if (k.scalar == "job_name") at = v.mark;
    }
    auto [it, inserted] = places->emplace(sc.job_name, Position(d.filename(), at));
    if (!inserted) {
      return d.Error(at, path + ".job_name",
                     "found multiple scrape configs with job name " + Quote(sc.job_name) +
                         ", first found in " + it->second);
    }
    out->push_back(std::move(sc));
  }
  return Status::Ok();
}

// One file matched by scrape_config_files: only "scrape_configs:" allowed.
Status LoadScrapeConfigFile(const std::string& file, const GlobalConfig& global,
                            JobPlaces* places, std::vector<ScrapeConfig>* out) {
  std::string text;
  FERRY_RETURN_IF_ERROR(ReadWholeFile(file, &text, false));
  FERRY_ASSIGN_OR_RETURN(YamlNode root, internal::ParseYaml(text, file));
  Decoder d(file);
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, root, "", "scrape config file"));
  const YamlNode* list = f.Get("scrape_configs");
  FERRY_RETURN_IF_ERROR(f.Finish());
  if (list == nullptr) return Status::Ok();
  std::vector<ScrapeConfig> configs;
  FERRY_RETURN_IF_ERROR(DecodeScrapeList(d, *list, global, places, &configs));
  const std::string dir = std::filesystem::path(file).parent_path().string();
  for (ScrapeConfig& sc : configs) {
    internal::SetDirectory(dir, &sc);
    out->push_back(std::move(sc));
  }
  return Status::Ok();
}

Result<std::vector<std::string>> Glob(const std::string& pattern) {
  glob_t g{};
  const int rc = ::glob(pattern.c_str(), GLOB_ERR, nullptr, &g);
  std::vector<std::string> files;
  if (rc == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  if (rc != 0 && rc != GLOB_NOMATCH) {
    return Status::InvalidArgument("error retrieving scrape config files for " + Quote(pattern));
  }
  return files;  // glob(3) sorts, as Go's filepath.Glob
}

}  // namespace

Result<Config> LoadString(std::string_view yaml, const std::string& filename,
                          const std::string& base_dir) {
  FERRY_ASSIGN_OR_RETURN(YamlNode root, internal::ParseYaml(yaml, filename));
  Decoder d(filename);
  FERRY_ASSIGN_OR_RETURN(Fields f, Fields::Open(d, root, "", "config"));
  Config cfg;
  cfg.source_file = filename;
  const YamlNode null_node;
  const YamlNode* global = f.Get("global");
  FERRY_RETURN_IF_ERROR(internal::DecodeGlobal(d, global ? *global : null_node, &cfg.global));
  FERRY_RETURN_IF_ERROR(CheckAgentMode(d, f));

  if (const YamlNode* n = f.Get("scrape_config_files")) {
    FERRY_RETURN_IF_ERROR(d.ReadStringList(*n, "scrape_config_files", &cfg.scrape_config_files));
    static const std::regex kPattern(R"(^[^*]*(\*[^/]*)?$)");
    for (size_t i = 0; i < cfg.scrape_config_files.size(); ++i) {
      if (!std::regex_match(cfg.scrape_config_files[i], kPattern)) {
        return d.Error(n->items[i], IndexPath("scrape_config_files", i),
                       "invalid scrape config file path " + Quote(cfg.scrape_config_files[i]));
      }
    }
  }
  JobPlaces places;
  if (const YamlNode* n = f.Get("scrape_configs")) {
    FERRY_RETURN_IF_ERROR(DecodeScrapeList(d, *n, cfg.global, &places, &cfg.scrape_configs));
  }
  if (const YamlNode* n = f.Get("remote_write")) {
    FERRY_RETURN_IF_ERROR(d.RequireSequence(*n, "remote_write"));
    std::map<std::string, std::string> names;
    for (size_t i = 0; i < n->items.size(); ++i) {
      const std::string path = IndexPath("remote_write", i);
      RemoteWriteConfig rw;
      FERRY_RETURN_IF_ERROR(internal::DecodeRemoteWrite(
          d, n->items[i], path, cfg.global.metric_name_validation_scheme, &rw));
      if (!rw.name.empty()) {
        YamlMark at = n->items[i].mark;
        for (const auto& [k, v] : n->items[i].entries) {
          if (k.scalar == "name") at = v.mark;
        }
        auto [it, inserted] = names.emplace(rw.name, Position(filename, at));
        if (!inserted) {
          return d.Error(at, path + ".name",
                         "found multiple remote write configs with name " + Quote(rw.name) +
                             ", first found in " + it->second);
        }
      }
      cfg.remote_write.push_back(std::move(rw));
    }
  }
  FERRY_RETURN_IF_ERROR(f.Finish());

  // SetDirectory, then the scrape config files (each relative to its own dir).
  cfg.global.query_log_file = internal::JoinDir(base_dir, cfg.global.query_log_file);
  cfg.global.scrape_failure_log_file =
      internal::JoinDir(base_dir, cfg.global.scrape_failure_log_file);
  for (ScrapeConfig& sc : cfg.scrape_configs) internal::SetDirectory(base_dir, &sc);
  for (RemoteWriteConfig& rw : cfg.remote_write) internal::SetDirectory(base_dir, &rw.http);
  for (std::string& pattern : cfg.scrape_config_files) {
    pattern = internal::JoinDir(base_dir, pattern);
  }
  for (const std::string& pattern : cfg.scrape_config_files) {
    FERRY_ASSIGN_OR_RETURN(std::vector<std::string> files, Glob(pattern));
    for (const std::string& file : files) {
      FERRY_RETURN_IF_ERROR(
          LoadScrapeConfigFile(file, cfg.global, &places, &cfg.scrape_configs));
    }
  }
  return cfg;
}

Result<Config> LoadFile(const std::string& path) {
  std::string text;
  FERRY_RETURN_IF_ERROR(ReadWholeFile(path, &text, true));
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return LoadString(text, path, dir);
}

}  // namespace ferry::config
