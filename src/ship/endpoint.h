// Endpoint: one remote_write section, validated and compiled for a Shipper.
//
// Thread-safety: immutable after Compile(); share as
// std::shared_ptr<const Endpoint>.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "src/base/status.h"
#include "src/config/config.h"
#include "src/labels/labels.h"
#include "src/relabel/relabel.h"
#include "src/remote/headers.h"

namespace ferry::ship {

struct Endpoint {
  config::RemoteWriteConfig config;
  labels::Labels external_labels;
  // `name` if set, else the first 6 hex digits of the MD5 of the URL (the
  // shape of Prometheus' queue names). Used in the cursor name, metrics
  // (remote_name) and logs.
  std::string identity;
  remote::ProtoMessage proto = remote::ProtoMessage::kV1WriteRequest;
  std::unique_ptr<relabel::Relabeler> relabeler;
  // `headers` of the section, in name order.
  std::vector<std::pair<std::string, std::string>> headers;
  // Every setting that changes what or how the shipper sends, secrets
  // included; equal fingerprints mean "unchanged endpoint" on reload.
  std::string fingerprint;

  // Validates "rw" and builds the endpoint. kInvalidArgument naming the
  // endpoint ("remote_write[1] (url ...)") and the setting for: an empty or
  // non-http(s) URL, a reserved header, an unknown protobuf_message, bad
  // relabel rules, or queue_config values Prometheus refuses or that cannot
  // work (shards, max_samples_per_send, capacity < 1, min_shards >
  // max_shards, min_backoff <= 0 or > max_backoff, batch_send_deadline or
  // remote_timeout <= 0).
  static Result<std::shared_ptr<const Endpoint>> Compile(const config::RemoteWriteConfig& rw,
                                                         const labels::Labels& external_labels,
                                                         size_t index);

  // The labels "series" is sent with: the external labels added where the
  // series lacks them (series labels win), then write_relabel_configs, as
  // Prometheus' processExternalLabels then relabel.Process. False when
  // relabeling drops the series or leaves no label. "lb" is scratch.
  bool SendLabels(const labels::Labels& series, labels::LabelsBuilder* lb,
                  labels::Labels* out) const;

  // The WAL cursor name of the endpoint: "remote_write/<identity>".
  std::string CursorName() const { return "remote_write/" + identity; }
};

// The identity Compile() gives an unnamed endpoint with "url".
std::string UrlIdentity(const std::string& url);

}  // namespace ferry::ship
