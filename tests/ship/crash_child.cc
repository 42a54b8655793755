// Child of ship_crash_test: ships a WAL to a receiver until the endpoint's
// cursor has caught up, then stops cleanly and exits 0. The parent SIGKILLs
// it at random moments before that.
//
//   ship_crash_child <wal dir> <url> <shards> <max_samples_per_send>
//
// Exit codes: 0 caught up, 1 bad usage or setup, 2 not caught up in 120 s.
#include <prometheus/registry.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "src/httpclient/client.h"
#include "src/ship/ship_manager.h"
#include "wal/wal.h"

int main(int argc, char** argv) {
  using namespace ferry;
  using std::chrono::milliseconds;
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s <wal dir> <url> <shards> <max_samples_per_send>\n", argv[0]);
    return 1;
  }
  wal::Options wo;
  wo.dir = argv[1];
  wo.durability = wal::Durability::kNever;
  wo.retention_interval = milliseconds(0);
  wo.max_age = milliseconds(0);
  Result<std::unique_ptr<wal::Wal>> w = wal::Wal::Open(wo);
  if (!w.ok()) {
    std::fprintf(stderr, "open: %s\n", w.status().ToString().c_str());
    return 1;
  }
  config::Config cfg;
  config::RemoteWriteConfig rw;
  rw.url = argv[2];
  rw.name = "crash";
  rw.queue_config.min_shards = std::stoi(argv[3]);
  // Twice min_shards: each shard may have 2 chunks of a window in flight.
  rw.queue_config.max_shards = 2 * std::stoi(argv[3]);
  rw.queue_config.max_samples_per_send = std::stoi(argv[4]);
  rw.queue_config.batch_send_deadline = milliseconds(20);
  rw.queue_config.min_backoff = milliseconds(10);
  rw.queue_config.max_backoff = milliseconds(100);
  cfg.remote_write.push_back(rw);

  httpclient::Client client(httpclient::Client::Options{});
  prometheus::Registry registry;
  ship::ShipperOptions opts;
  opts.flush_deadline = std::chrono::seconds(5);
  opts.reshard_interval = milliseconds(200);
  int code = 2;
  {
    ship::ShipManager manager(**w, client, registry, opts);
    Status s = manager.ApplyConfig(cfg);
    if (!s.ok()) {
      std::fprintf(stderr, "apply: %s\n", s.ToString().c_str());
      return 1;
    }
    std::fprintf(stderr, "shipping\n");
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < until) {
      auto st = manager.Status();
      if (!st.empty() && st[0].cursor > (*w)->LastSequence()) {
        code = 0;
        break;
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    manager.Stop();
    auto st = manager.Status();
    if (!st.empty()) {
      std::fprintf(stderr, "done cursor=%llu failed=%g dropped=%g\n",
                   static_cast<unsigned long long>(st[0].cursor), st[0].samples_failed,
                   st[0].samples_dropped);
    }
  }
  client.Stop();
  (*w)->Close().IgnoreError();  // exiting anyway; the cursor was committed by Stop
  return code;
}
