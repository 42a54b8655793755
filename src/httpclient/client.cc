// The only file that talks to libcurl.
#include "src/httpclient/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <future>
#include <thread>
#include <unordered_map>

#include "src/base/mutex.h"
#include "src/base/thread_name.h"
#include "src/httpclient/gzip.h"
#include "src/httpclient/url.h"

namespace ferry::httpclient {

std::string Response::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

// curl_global_init is not thread-safe; do it once before any Client exists.
void GlobalInit() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

// One transfer: the request, its curl handle and what has arrived so far.
struct Transfer {
  Request request;
  Callback done;
  Response response;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* connect_to = nullptr;
  char error[CURL_ERROR_SIZE] = {0};
  bool too_large = false;
  std::chrono::steady_clock::time_point start;

  ~Transfer() {
    if (headers) curl_slist_free_all(headers);
    if (connect_to) curl_slist_free_all(connect_to);
    if (easy) curl_easy_cleanup(easy);
  }
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  uint64_t limit = t->request.max_body_bytes;
  if (limit > 0 && t->response.body.size() + len > limit) {
    t->too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (after a redirect or 100-continue)
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  t->response.headers.emplace(std::move(name), std::string(value));
  return len;
}

long TlsVersion(const std::string& v) {
  if (v == "TLS10") return CURL_SSLVERSION_TLSv1_0;
  if (v == "TLS11") return CURL_SSLVERSION_TLSv1_1;
  if (v == "TLS13") return CURL_SSLVERSION_TLSv1_3;
  return CURL_SSLVERSION_TLSv1_2;
}

// Configures "t->easy" for "t->request". Fails for requests curl cannot make.
Status Setup(Transfer* t, const std::string& user_agent) {
  static const ClientOptions kDefaults;
  const Request& r = t->request;
  const ClientOptions& o = r.options ? *r.options : kDefaults;
  CURL* e = t->easy;
  FERRY_ASSIGN_OR_RETURN(Url url, ParseUrl(r.url));

  std::string effective_url = r.url;
  if (!o.tls.server_name.empty() && url.scheme == "https") {
    // Verify and send SNI for server_name, but connect to the URL's host:
    // rewrite the URL's host and pin the connection with CONNECT_TO.
    effective_url = url.WithHost(o.tls.server_name);
    std::string pin = o.tls.server_name + ":" + std::to_string(url.port) + ":" + url.host + ":" +
                      std::to_string(url.port);
    t->connect_to = curl_slist_append(nullptr, pin.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, t->connect_to);
    t->headers = curl_slist_append(t->headers, ("Host: " + url.HostPort()).c_str());
  }
  curl_easy_setopt(e, CURLOPT_URL, effective_url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
  curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, o.follow_redirects ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                   o.enable_http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
  // gzip is asked for here and decoded in Complete() with libdeflate, not
  // by curl (zlib, streaming): a scrape body is decoded whole anyway.
  if (r.accept_gzip) t->headers = curl_slist_append(t->headers, "Accept-Encoding: gzip");
  // Environment proxies (http_proxy, ...) are ignored unless configured, as in Prometheus.
  curl_easy_setopt(e, CURLOPT_PROXY, o.proxy_url.c_str());
  if (!o.no_proxy.empty()) curl_easy_setopt(e, CURLOPT_NOPROXY, o.no_proxy.c_str());

  if (!o.basic_auth_user.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(e, CURLOPT_USERNAME, o.basic_auth_user.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, o.basic_auth_password.c_str());
  }
  if (!o.authorization.empty()) {
    t->headers = curl_slist_append(t->headers, ("Authorization: " + o.authorization).c_str());
  }
  for (const auto& [k, v] : r.headers) {
    t->headers = curl_slist_append(t->headers, (k + ": " + v).c_str());
  }
  // curl adds "Expect: 100-continue" for large POSTs; receivers do not need the round trip.
  t->headers = curl_slist_append(t->headers, "Expect:");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);

  const TlsOptions& tls = o.tls;
  if (!tls.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.ca_pem.empty()) {
    curl_blob blob{const_cast<char*>(tls.ca_pem.data()), tls.ca_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!tls.cert_file.empty()) curl_easy_setopt(e, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.key_file.empty()) curl_easy_setopt(e, CURLOPT_SSLKEY, tls.key_file.c_str());
  if (!tls.cert_pem.empty()) {
    curl_blob blob{const_cast<char*>(tls.cert_pem.data()), tls.cert_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &blob);
  }
  if (!tls.key_pem.empty()) {
    curl_blob blob{const_cast<char*>(tls.key_pem.data()), tls.key_pem.size(), CURL_BLOB_COPY};
    curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &blob);
  }
  if (tls.insecure_skip_verify) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  curl_easy_setopt(e, CURLOPT_SSLVERSION, TlsVersion(tls.min_version));

  if (r.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (r.method == "POST" || r.method == "PUT") {
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    if (r.method == "PUT") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
  } else {
    return Status::InvalidArgument("unsupported HTTP method " + r.method);
  }
  return Status::Ok();
}

// "GET \"http://...\": ", the start of every error about a transfer.
std::string Where(const Transfer& t) { return t.request.method + " \"" + t.request.url + "\": "; }

Status BodyTooLarge(const Transfer& t) {
  return Status::ResourceExhausted(Where(t) + "body size limit exceeded (" +
                                   std::to_string(t.request.max_body_bytes) + " bytes)");
}

Status MapCurlError(CURLcode code, const Transfer& t) {
  const std::string where = Where(t);
  std::string detail = t.error[0] ? t.error : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status::Unavailable(where + "timeout after " +
                                 std::to_string(t.request.timeout.count()) + "ms (" + detail + ")");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      return Status::InvalidArgument(where + detail);
    default:
      return Status::Unavailable(where + detail);
  }
}

}  // namespace

// Enough for the usual concurrency (targets being scraped + shards sending);
// a larger burst allocates the rest anew.
constexpr size_t kMaxIdleHandles = 64;

struct Client::Impl {
  Options options;
  CURLM* multi = nullptr;
  std::thread thread;
  std::atomic<bool> stopping{false};

  Mutex mu;
  std::deque<std::unique_ptr<Transfer>> queue FERRY_GUARDED_BY(mu);
  bool stopped FERRY_GUARDED_BY(mu) = false;

  // Owned by the loop thread only.
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active;
  // Finished easy handles, reset, for the next transfers: curl_easy_init
  // allocates and clears several KiB per handle, a third of the client's
  // malloc time when a shipper sends hundreds of requests a second.
  std::vector<CURL*> idle_easy;
  GzipDecoder gunzip;

  ~Impl() {
    for (CURL* e : idle_easy) curl_easy_cleanup(e);
  }

  CURL* TakeEasy() {
    if (idle_easy.empty()) return curl_easy_init();
    CURL* e = idle_easy.back();
    idle_easy.pop_back();
    return e;
  }
  // Takes "t"'s handle (no longer in the multi handle) back for reuse.
  void ReleaseEasy(Transfer* t) {
    if (t->easy == nullptr) return;
    if (idle_easy.size() >= kMaxIdleHandles) return;  // the Transfer frees it
    curl_easy_reset(t->easy);  // options only: the multi handle keeps the connections
    idle_easy.push_back(t->easy);
    t->easy = nullptr;
  }

  void Finish(std::unique_ptr<Transfer> t, Status status) {
    ReleaseEasy(t.get());
    t->response.status = std::move(status);
    t->response.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - t->start);
    Callback done = std::move(t->done);
    Response resp = std::move(t->response);
    t.reset();  // free curl resources before user code runs
    done(std::move(resp));
  }

  void StartQueued() {
    std::deque<std::unique_ptr<Transfer>> batch;
    {
      MutexLock l(mu);
      while (!queue.empty() && static_cast<int>(active.size() + batch.size()) < options.max_concurrent) {
        batch.push_back(std::move(queue.front()));
        queue.pop_front();
      }
    }
    for (auto& t : batch) {
      t->start = std::chrono::steady_clock::now();
      t->easy = TakeEasy();
      if (!t->easy) {
        Finish(std::move(t), Status::Internal("curl_easy_init failed"));
        continue;
      }
      Status s = Setup(t.get(), options.user_agent);
      if (!s.ok()) {
        Finish(std::move(t), s);
        continue;
      }
      CURL* key = t->easy;
      curl_multi_add_handle(multi, key);
      active.emplace(key, std::move(t));
    }
  }

  void Complete(CURL* easy, CURLcode code) {
    auto it = active.find(easy);
    if (it == active.end()) return;
    std::unique_ptr<Transfer> t = std::move(it->second);
    active.erase(it);
    curl_multi_remove_handle(multi, easy);
    long http_status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &http_status);
    t->response.http_status = static_cast<int>(http_status);
    curl_off_t wire = 0;
    curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &wire);
    t->response.bytes_received = static_cast<uint64_t>(wire);
    Status s;
    if (t->too_large) {
      s = BodyTooLarge(*t);
    } else if (code != CURLE_OK) {
      s = MapCurlError(code, *t);
    } else if (t->request.accept_gzip && t->response.Header("content-encoding") == "gzip") {
      s = Gunzip(t.get());
    }
    Finish(std::move(t), s);
  }

  // Replaces the gzip body of "t" by its decoding (what was asked for with
  // accept_gzip; Go's scrape checks Content-Encoding the same way).
  Status Gunzip(Transfer* t) {
    std::string decoded;
    Status s = gunzip.Decode(t->response.body, t->request.max_body_bytes, &decoded);
    if (s.ok()) {
      t->response.body = std::move(decoded);
      return s;
    }
    if (s.IsResourceExhausted()) return BodyTooLarge(*t);
    return Status::Unavailable(Where(*t) + s.message());
  }

  void Loop() {
    while (!stopping.load(std::memory_order_acquire)) {
      StartQueued();
      int running = 0;
      curl_multi_perform(multi, &running);
      int left = 0;
      bool completed = false;
      while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg == CURLMSG_DONE) {
          Complete(msg->easy_handle, msg->data.result);
          completed = true;
        }
      }
      // A completion frees a slot: start queued transfers before sleeping,
      // or they would wait for the poll timeout.
      if (completed) continue;
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    // Cancel what is left, outside any lock.
    for (auto& [easy, t] : active) curl_multi_remove_handle(multi, easy);
    auto remaining = std::move(active);
    for (auto& [easy, t] : remaining) Finish(std::move(t), Status::Cancelled("client stopped"));
    std::deque<std::unique_ptr<Transfer>> queued;
    {
      MutexLock l(mu);
      queued.swap(queue);
    }
    for (auto& t : queued) Finish(std::move(t), Status::Cancelled("client stopped"));
  }
};

Client::Client(Options options) : impl_(std::make_unique<Impl>()) {
  GlobalInit();
  impl_->options = std::move(options);
  impl_->multi = curl_multi_init();
  curl_multi_setopt(impl_->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  impl_->thread = std::thread([this] {
    SetThreadName("http-client");
    impl_->Loop();
  });
}

Client::~Client() {
  Stop();
  if (impl_->multi) curl_multi_cleanup(impl_->multi);
}

void Client::Submit(Request request, Callback done) {
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->done = std::move(done);
  {
    MutexLock l(impl_->mu);
    if (!impl_->stopped) {
      impl_->queue.push_back(std::move(t));
    }
  }
  if (t) {  // not queued: the client is stopped
    Callback cb = std::move(t->done);
    Response r;
    r.status = Status::Cancelled("client stopped");
    cb(std::move(r));
    return;
  }
  curl_multi_wakeup(impl_->multi);
}

Response Client::Do(Request request) {
  std::promise<Response> p;
  auto f = p.get_future();
  Submit(std::move(request), [&p](Response&& r) { p.set_value(std::move(r)); });
  return f.get();
}

void Client::Stop() {
  {
    MutexLock l(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->stopping.store(true, std::memory_order_release);
  curl_multi_wakeup(impl_->multi);
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace ferry::httpclient
