#include "tests/compliance/rw_sender_harness.h"

#include <signal.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "src/remote/compression.h"
#include "src/remote/decode.h"
#include "tests/testing/http_server.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace ferry::compliance {
namespace {

// The suite's generated prometheus.yml (targets/prometheus.go), with a 1 s
// batch deadline so that a case takes seconds rather than the default 5 s.
std::string ConfigYaml(const std::string& target) {
  return "global:\n"
         "  scrape_interval: 1s\n"
         "remote_write:\n"
         "  - url: \"http://" + target + "/push\"\n"
         "    queue_config:\n"
         "      batch_send_deadline: 1s\n"
         "scrape_configs:\n"
         "  - job_name: \"test\"\n"
         "    scrape_interval: 1s\n"
         "    static_configs:\n"
         "      - targets: [\"" + target + "\"]\n";
}

// State shared between the server's worker threads and RunCase().
struct Shared {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Batch> batches;
  std::vector<PushHeaders> headers;
  std::vector<std::string> errors;
  int64_t scrapes = 0;
  int64_t pushes = 0;
  bool done = false;
};

void HandlePush(const CaseSpec& spec, Shared& s, const httplib::Request& req,
                httplib::Response& res) {
  PushHeaders h{req.get_header_value("Content-Encoding"), req.get_header_value("Content-Type"),
                req.get_header_value("X-Prometheus-Remote-Write-Version"),
                req.get_header_value("User-Agent")};
  int64_t n;
  {
    std::lock_guard<std::mutex> l(s.mu);
    s.headers.push_back(h);
    n = ++s.pushes;
  }
  auto fail = [&](const std::string& what) {
    std::lock_guard<std::mutex> l(s.mu);
    s.errors.push_back("push #" + std::to_string(n) + ": " + what);
    res.status = 400;
    res.set_content(what, "text/plain");
  };
  auto raw = remote::Decompress(req.body);
  if (!raw.ok()) return fail("snappy: " + raw.status().ToString());
  auto decoded = remote::DecodeWriteRequestV1(*raw);
  if (!decoded.ok()) return fail("WriteRequest: " + decoded.status().ToString());

  Batch batch;
  for (const auto& series : decoded->series) {
    for (const auto& sample : series.samples) {
      batch.push_back({series.labels, sample.timestamp_ms, sample.value});
    }
  }
  int status = spec.intercept ? spec.intercept(batch) : 204;
  res.status = status;
  if (status / 100 != 2) {
    res.set_content("rejected by the test", "text/plain");
    return;
  }
  std::lock_guard<std::mutex> l(s.mu);
  s.batches.push_back(std::move(batch));
  if (!s.done && spec.done(s.batches)) s.done = true;
  s.cv.notify_all();
}

}  // namespace

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<ReceivedSample> Matching(const std::vector<Batch>& batches,
                                     const labels::Labels& subset) {
  std::vector<ReceivedSample> out;
  for (const auto& b : batches) {
    for (const auto& s : b) {
      bool all = true;
      for (const auto& l : subset) {
        if (s.labels.Get(l.name) != l.value) {
          all = false;
          break;
        }
      }
      if (all) out.push_back(s);
    }
  }
  return out;
}

CaseResult RunCase(const CaseSpec& spec) {
  CaseResult result;
  ferry::testing::TempDir dir;
  Shared shared;

  httplib::Server server;
  server.set_tcp_nodelay(true);  // else Nagle + delayed ACK add 40 ms per request
  server.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
    int64_t n;
    {
      std::lock_guard<std::mutex> l(shared.mu);
      n = ++shared.scrapes;
    }
    spec.metrics(n, res);
  });
  server.Post("/push", [&](const httplib::Request& req, httplib::Response& res) {
    HandlePush(spec, shared, req, res);
  });
  ferry::testing::LoopbackServer loop(server);
  if (loop.port() <= 0) {
    result.ferry_stderr = "harness: cannot bind 127.0.0.1:0";
    return result;
  }
  result.target = loop.address();

  const std::string config = dir.Sub("prometheus.yml");
  ferry::testing::WriteFileOrDie(config, ConfigYaml(result.target));
  result.start_ms = NowMs();
  {
    ferry::testing::Subprocess ferry(
        {ferry::testing::FerryBinary(), "--config.file=" + config,
         "--storage.agent.path=" + dir.Sub("data"),
         "--web.listen-address=127.0.0.1:" + std::to_string(ferry::testing::PickFreePort())},
        dir.Sub("ferry"));
    {
      auto deadline = std::chrono::steady_clock::now() + spec.timeout;
      std::unique_lock<std::mutex> l(shared.mu);
      while (!shared.done && std::chrono::steady_clock::now() < deadline) {
        // Wakes on every accepted request; the 200 ms cap only notices an
        // early exit of ferry.
        shared.cv.wait_until(l, std::min(deadline, std::chrono::steady_clock::now() +
                                                       std::chrono::milliseconds(200)));
        if (!shared.done) {
          l.unlock();
          bool alive = ferry.running();
          l.lock();
          if (!alive) break;
        }
      }
      result.done = shared.done;
    }
    ferry.Signal(SIGINT);
    result.exit_code = ferry.Wait(std::chrono::seconds(30));
    if (!result.exit_code) {
      ferry.Signal(SIGKILL);
      (void)ferry.Wait(std::chrono::seconds(10));
    }
    result.end_ms = NowMs();
    result.ferry_stderr = ferry.Stderr();
  }
  loop.Stop();

  std::lock_guard<std::mutex> l(shared.mu);
  result.batches = std::move(shared.batches);
  result.headers = std::move(shared.headers);
  result.receiver_errors = std::move(shared.errors);
  result.scrapes = shared.scrapes;
  return result;
}

}  // namespace ferry::compliance
