#include "src/cli/wal_command.h"

#include <stdlib.h>
#include <unistd.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "src/base/clock.h"
#include "src/cli/time_arg.h"
#include "src/selector/selector.h"
#include "wal/wal.h"

namespace ferry::cli {
namespace {

// A read-only view of a WAL directory that works whether or not an agent is
// writing to it: a RocksDB secondary instance in a private temporary folder.
class WalView {
 public:
  static Result<std::unique_ptr<WalView>> Open(const std::string& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      return Status::NotFound("no WAL at \"" + dir + "\" (see --storage.agent.path)");
    }
    auto v = std::unique_ptr<WalView>(new WalView());
    std::string tmpl = (std::filesystem::temp_directory_path() / "ferry-wal-view-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return Status::IOError("cannot create a temporary folder");
    v->secondary_dir_ = tmpl;
    wal::Options o;
    o.dir = dir;
    o.mode = wal::OpenMode::kSecondary;
    o.secondary_dir = tmpl;
    o.retention_interval = std::chrono::milliseconds(0);
    FERRY_ASSIGN_OR_RETURN(v->wal_, wal::Wal::Open(o));
    FERRY_RETURN_IF_ERROR(v->wal_->CatchUp());
    return v;
  }
  ~WalView() {
    if (wal_) wal_->Close().IgnoreError();  // read-only: nothing to lose
    std::error_code ec;
    if (!secondary_dir_.empty()) std::filesystem::remove_all(secondary_dir_, ec);
  }
  wal::Wal& wal() { return *wal_; }

 private:
  WalView() = default;
  std::string secondary_dir_;
  std::unique_ptr<wal::Wal> wal_;
};

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string HumanBytes(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string SeriesText(const labels::Labels& l) {
  std::string out(l.Get(labels::kMetricName));
  std::string inner;
  for (const labels::Label& x : l) {
    if (x.name == labels::kMetricName) continue;
    if (!inner.empty()) inner += ',';
    inner += x.name + "=";
    labels::AppendQuoted(&inner, x.value);
  }
  if (!inner.empty() || out.empty()) out += "{" + inner + "}";
  return out;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "ferry: %s\n", s.message().c_str());
  return 1;
}

}  // namespace

int RunWalInspect(const WalFlags& f) {
  auto view = WalView::Open(f.storage_path);
  if (!view.ok()) return Fail(view.status());
  auto info = (*view)->wal().Inspect();
  if (!info.ok()) return Fail(info.status());
  const wal::WalInfo& i = *info;
  if (f.json) {
    nlohmann::json cursors = nlohmann::json::array();
    for (const auto& c : i.cursors) {
      cursors.push_back({{"name", c.cursor.name},
                         {"next_sequence", c.cursor.next_sequence},
                         {"commit_ms", c.cursor.commit_ms},
                         {"lag_records", c.lag_records},
                         {"lag_samples", c.lag_samples},
                         {"lag_seconds", c.lag_seconds},
                         {"oldest_unshipped_ms", c.oldest_unshipped_ms}});
    }
    nlohmann::json j = {{"dir", i.dir},
                        {"format_version", i.format_version},
                        {"bytes_on_disk", i.bytes_on_disk},
                        {"series", i.series},
                        {"records", i.records},
                        {"samples", i.samples},
                        {"first_sequence", i.first_sequence},
                        {"last_sequence", i.last_sequence},
                        {"first_append_ms", i.first_append_ms},
                        {"last_append_ms", i.last_append_ms},
                        {"min_timestamp_ms", i.min_timestamp_ms},
                        {"max_timestamp_ms", i.max_timestamp_ms},
                        {"oldest_unshipped_ms", i.oldest_unshipped_ms},
                        {"replayable", {{"from_ms", i.min_timestamp_ms},
                                        {"to_ms", i.max_timestamp_ms},
                                        {"samples", i.samples}}},
                        {"cursors", cursors}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  auto when = [](int64_t ms) { return ms > 0 ? FormatTimeMs(ms) : std::string("-"); };
  std::printf("WAL directory:     %s\n", i.dir.c_str());
  std::printf("Format version:    %u\n", i.format_version);
  std::printf("Size on disk:      %s (%llu bytes)\n", HumanBytes(i.bytes_on_disk).c_str(),
              static_cast<unsigned long long>(i.bytes_on_disk));
  std::printf("Series:            %llu\n", static_cast<unsigned long long>(i.series));
  std::printf("Records:           %llu (sequences %llu..%llu)\n",
              static_cast<unsigned long long>(i.records),
              static_cast<unsigned long long>(i.first_sequence),
              static_cast<unsigned long long>(i.last_sequence));
  std::printf("Samples:           %llu\n", static_cast<unsigned long long>(i.samples));
  std::printf("Appended:          %s .. %s\n", when(i.first_append_ms).c_str(),
              when(i.last_append_ms).c_str());
  std::printf("Sample time range: %s .. %s\n", when(i.min_timestamp_ms).c_str(),
              when(i.max_timestamp_ms).c_str());
  // What `ferry replay --from/--to` can still reach (docs/replay.md).
  if (i.records > 0) {
    const double hours = static_cast<double>(i.max_timestamp_ms - i.min_timestamp_ms) / 3.6e6;
    std::printf("Replayable range:  %s .. %s (%.1f h, %llu samples)\n",
                when(i.min_timestamp_ms).c_str(), when(i.max_timestamp_ms).c_str(), hours,
                static_cast<unsigned long long>(i.samples));
  } else {
    std::printf("Replayable range:  - (the WAL holds no records)\n");
  }
  std::printf("Oldest unshipped:  %s\n", when(i.oldest_unshipped_ms).c_str());
  std::printf("Cursors:           %zu\n", i.cursors.size());
  for (const auto& c : i.cursors) {
    std::printf("  %-40s next=%llu lag=%llu samples (%.1fs)\n", c.cursor.name.c_str(),
                static_cast<unsigned long long>(c.cursor.next_sequence),
                static_cast<unsigned long long>(c.lag_samples), c.lag_seconds);
  }
  return 0;
}

int RunWalDump(const WalFlags& f) {
  const int64_t now = RealClock().NowMillis();
  int64_t from = std::numeric_limits<int64_t>::min();
  int64_t to = now;
  if (!f.from.empty()) {
    auto t = ParseTimeArg(f.from, now);
    if (!t.ok()) return Fail(t.status().WithContext("--from"));
    from = *t;
  }
  if (!f.to.empty()) {
    auto t = ParseTimeArg(f.to, now);
    if (!t.ok()) return Fail(t.status().WithContext("--to"));
    to = *t;
  }
  if (f.format != "text" && f.format != "json") {
    return Fail(Status::InvalidArgument("--format: want text or json, got \"" + f.format + "\""));
  }
  auto sel = selector::Parse(f.match);
  if (!sel.ok()) return Fail(sel.status().WithContext("--match"));
  auto view = WalView::Open(f.storage_path);
  if (!view.ok()) return Fail(view.status());
  const bool json = f.format == "json";
  selector::Selector selector = *sel;
  Status s = (*view)->wal().Dump(
      from, to,
      [&selector](wal::SeriesRef, const labels::Labels& l) { return selector.Matches(l); },
      [json](uint64_t, wal::SeriesRef, const labels::Labels& l, int64_t ts, double v) {
        bool stale = std::bit_cast<uint64_t>(v) == wal::kStaleNaNBits;
        if (json) {
          nlohmann::json j = nlohmann::json::object();
          nlohmann::json lj = nlohmann::json::object();
          for (const labels::Label& x : l) lj[x.name] = x.value;
          j["labels"] = lj;
          j["timestamp"] = ts;
          j["value"] = FormatValue(v);
          if (stale) j["stale"] = true;
          std::printf("%s\n", j.dump().c_str());
        } else {
          std::printf("%s %s %lld\n", SeriesText(l).c_str(), stale ? "StaleNaN" : FormatValue(v).c_str(),
                      static_cast<long long>(ts));
        }
        return Status::Ok();
      });
  if (!s.ok()) return Fail(s);
  return 0;
}

}  // namespace ferry::cli
