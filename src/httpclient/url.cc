#include "src/httpclient/url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ferry::httpclient {

Result<Url> ParseUrl(std::string_view in) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("invalid URL \"" + std::string(in) + "\": " + std::string(why));
  };
  Url u;
  auto sep = in.find("://");
  if (sep == std::string_view::npos) return bad("missing scheme (want http:// or https://)");
  u.scheme = std::string(in.substr(0, sep));
  std::transform(u.scheme.begin(), u.scheme.end(), u.scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (u.scheme != "http" && u.scheme != "https") return bad("scheme must be http or https");
  std::string_view rest = in.substr(sep + 3);
  auto path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  u.path_and_query = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (!u.path_and_query.empty() && u.path_and_query[0] != '/') u.path_and_query = "/" + u.path_and_query;
  if (auto hash = u.path_and_query.find('#'); hash != std::string::npos) u.path_and_query.resize(hash);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    u.userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after IPv6 address");
      port = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return bad("missing host");
  if (!port.empty()) {
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p <= 0 || p > 65535) {
      return bad("invalid port \"" + std::string(port) + "\"");
    }
    u.port = p;
    u.explicit_port = true;
  } else {
    u.port = u.scheme == "https" ? 443 : 80;
  }
  return u;
}

std::string Url::HostPort() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return explicit_port ? h + ":" + std::to_string(port) : h;
}

std::string Url::WithHost(std::string_view new_host) const {
  Url copy = *this;
  copy.host = std::string(new_host);
  copy.explicit_port = true;
  return copy.ToString();
}

std::string Url::ToString() const {
  std::string out = scheme + "://";
  if (!userinfo.empty()) out += userinfo + "@";
  out += HostPort();
  out += path_and_query;
  return out;
}

}  // namespace ferry::httpclient
