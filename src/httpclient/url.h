// Url: the parts of an http(s) URL that the client and the scrape layer need.
#pragma once

#include <string>
#include <string_view>

#include "src/base/status.h"

namespace ferry::httpclient {

struct Url {
  std::string scheme;    // "http" or "https", lower case
  std::string userinfo;  // "user:pass" or "", without '@'
  std::string host;      // without brackets for IPv6
  int port = 0;          // explicit or the scheme's default
  bool explicit_port = false;
  std::string path_and_query;  // starts with '/', "/" when absent

  // "host:port" with brackets for IPv6, port omitted when it was not explicit.
  std::string HostPort() const;
  // The URL with "new_host" instead of host.
  std::string WithHost(std::string_view new_host) const;
  std::string ToString() const;
};

// Accepts http and https URLs only; errors name the URL and the problem.
Result<Url> ParseUrl(std::string_view url);

}  // namespace ferry::httpclient
