// Child process of wal_crash_test: appends forever with durability kAlways
// and prints "<sequence> <n>\n" (flushed) after each acknowledged append.
// Sample i of append n has timestamp n*1000 and value n*100+i (StaleNaN for
// i == 0 when n % 7 == 0). Usage: wal_crash_child <dir> <first_n> [always|interval|never]
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "wal/wal.h"

int main(int argc, char** argv) {
  using namespace ferry::wal;
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <first_n> [always|interval|never]\n", argv[0]);
    return 2;
  }
  Options o;
  o.dir = argv[1];
  o.durability = Durability::kAlways;
  if (argc == 4 && std::string(argv[3]) == "interval") o.durability = Durability::kInterval;
  if (argc == 4 && std::string(argv[3]) == "never") o.durability = Durability::kNever;
  o.retention_interval = std::chrono::milliseconds(0);
  auto wal = Wal::Open(o);
  if (!wal.ok()) {
    std::fprintf(stderr, "open: %s\n", wal.status().ToString().c_str());
    return 1;
  }
  constexpr int kSeries = 20;
  std::vector<SeriesRef> refs;
  for (int64_t n = std::atoll(argv[2]);; ++n) {
    Batch b(1);
    for (int i = 0; i < kSeries; ++i) {
      double v = (i == 0 && n % 7 == 0) ? std::bit_cast<double>(kStaleNaNBits)
                                        : static_cast<double>(n * 100 + i);
      if (refs.empty()) {
        b.Add(ferry::labels::Labels::Of({{"__name__", "crash"}, {"i", std::to_string(i)}}),
              n * 1000, v);
      } else {
        b.Add(refs[i], n * 1000, v);
      }
    }
    auto seq = (*wal)->Append(b);
    if (!seq.ok()) {
      std::fprintf(stderr, "append: %s\n", seq.status().ToString().c_str());
      return 1;
    }
    refs = b.refs();
    std::printf("%llu %lld\n", static_cast<unsigned long long>(*seq), static_cast<long long>(n));
    std::fflush(stdout);
  }
}
