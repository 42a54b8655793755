// What every sender of remote-write bodies shares (the shards, the metadata
// sender, replay jobs): the HTTP request for one body with the protocol's
// and the endpoint's headers, waiting for its answer without outliving a
// stop, and reading a receiver's "already stored" answers.
//
// Thread-safety: pure functions; SendAndWait may be called from any thread
// but a client callback.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "src/httpclient/client.h"
#include "src/httpclient/client_config.h"
#include "src/ship/endpoint.h"

namespace ferry::ship {

// POST of "body" (already compressed) to the endpoint's URL with its
// remote_timeout, the protocol's Content-Encoding, Content-Type, version and
// User-Agent headers, then http_headers of the client config, then the
// endpoint's `headers`. Answers larger than 1 MiB are cut (only the status
// and the first bytes of an error matter).
httpclient::Request NewWriteRequest(const Endpoint& endpoint,
                                    const httpclient::ClientOptionsSource& source,
                                    std::shared_ptr<const httpclient::ClientOptions> options,
                                    std::string body);

// Submits "request" and waits for its answer. Returns nullopt as soon as
// "abandon()" is true (checked every 100 ms): the request may then still
// complete later, into a callback that owns everything it touches.
std::optional<httpclient::Response> SendAndWait(httpclient::Client& client,
                                                httpclient::Request request,
                                                const std::function<bool()>& abandon);

// Whether a 4xx answer body says the receiver already holds the samples
// (Prometheus tsdb's out-of-order, duplicate-sample and out-of-bounds
// errors; Mimir's and Thanos' wordings).
bool SaysAlreadyStored(std::string_view body);

}  // namespace ferry::ship
