// ferry's version, from CMake's project(VERSION) and git at configure time.
#pragma once

#include <string_view>

namespace ferry::agent {
extern const std::string_view kVersion;
extern const std::string_view kRevision;
}  // namespace ferry::agent
