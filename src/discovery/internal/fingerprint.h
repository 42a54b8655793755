// Fingerprints of SD config entries: equal strings mean equal configs, so a
// reload can keep a provider running when its entry did not change. They
// contain secrets verbatim: keep them in memory, never log them.
#pragma once

#include <string>

#include "src/config/config.h"

namespace ferry::discovery::internal {

std::string Fingerprint(const config::FileSdConfig& c, config::NameValidation names);
std::string Fingerprint(const config::HttpSdConfig& c, config::NameValidation names);

}  // namespace ferry::discovery::internal
