// Where a replay job sends: the remote_write section it names, or one built
// from its ad-hoc URL and auth/TLS files, compiled by ship::Endpoint::Compile
// so that auth, TLS, headers, external labels, write_relabel_configs and the
// protocol mean exactly what they mean for live shipping.
//
// Thread-safety: pure function.
#pragma once

#include <memory>

#include "src/base/status.h"
#include "src/config/config.h"
#include "src/replay/job.h"
#include "src/ship/endpoint.h"

namespace ferry::replay {

// "cfg" may be null (no configuration: only URL destinations resolve).
// kNotFound when no remote_write section has the job's name (matched like
// the shipper's identity: `name`, else the URL's hash); kInvalidArgument
// from Endpoint::Compile for an unusable URL destination.
Result<std::shared_ptr<const ship::Endpoint>> ResolveEndpoint(const JobSpec& spec,
                                                              const config::Config* cfg);

}  // namespace ferry::replay
