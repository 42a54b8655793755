// kill -9 at random moments: every acknowledged append must be present and
// intact after reopening, and nothing after it may be garbage. Rounds cycle
// through the durability modes: a process crash (unlike power loss) must lose
// nothing acknowledged in any of them, since every mode write()s before the
// append returns.
// FERRY_CRASH_ROUNDS sets the number of rounds (default 50).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>

#include "tests/testing/test_util.h"
#include "tests/wal/wal_test_util.h"
#include "wal/wal.h"

namespace ferry::wal {
namespace {

struct Child {
  pid_t pid;
  FILE* out;
};

Child Spawn(const std::string& bin, const std::string& dir, int64_t first_n,
            const char* durability) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    std::string n = std::to_string(first_n);
    execl(bin.c_str(), bin.c_str(), dir.c_str(), n.c_str(), durability,
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  return {pid, fdopen(fds[0], "r")};
}

bool ReadAck(FILE* f, std::map<uint64_t, int64_t>* acked) {
  unsigned long long seq;
  long long n;
  if (std::fscanf(f, "%llu %lld\n", &seq, &n) != 2) return false;
  (*acked)[seq] = n;
  return true;
}

TEST(WalCrashTest, KillNineLosesNoAcknowledgedAppend) {
  const char* env = std::getenv("FERRY_CRASH_ROUNDS");
  const int rounds = env != nullptr ? std::atoi(env) : 50;
  const std::string bin = ferry::testing::BinaryDir() + "/tests/wal/wal_crash_child";
  ferry::testing::TempDir tmp;
  const std::string dir = tmp.Sub("wal");
  std::mt19937 rng(12345);
  std::map<uint64_t, int64_t> acked;  // seq -> n, over all rounds
  int64_t next_n = 0;
  uint64_t total_records = 0;
  for (int round = 0; round < rounds; ++round) {
    static const char* kModes[] = {"always", "interval", "never"};
    Child c = Spawn(bin, dir, next_n, kModes[round % 3]);
    ASSERT_GT(c.pid, 0);
    // Kill after a random number of acknowledgements (0: during open).
    int target = static_cast<int>(rng() % 40);
    for (int k = 0; k < target && ReadAck(c.out, &acked); ++k) {
    }
    kill(c.pid, SIGKILL);
    while (ReadAck(c.out, &acked)) {  // lines printed before the kill are acknowledged too
    }
    fclose(c.out);
    int status = 0;
    ASSERT_EQ(waitpid(c.pid, &status, 0), c.pid);
    ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
        << "child failed in round " << round << " status " << status;

    Options o;
    o.dir = dir;
    o.durability = Durability::kNever;
    o.retention_interval = std::chrono::milliseconds(0);
    testing::RecordingListener listener;
    o.listener = &listener;
    auto wal = Wal::Open(o);
    ASSERT_TRUE(wal.ok()) << "round " << round << ": " << wal.status().ToString();
    auto reader = std::move((*wal)->NewReader(1)).value();
    Record rec;
    uint64_t expect_seq = 1;
    int64_t prev_n = -1;
    for (;;) {
      Result<bool> got = reader->Next(rec);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      if (!*got) break;
      ASSERT_EQ(rec.sequence, expect_seq) << "round " << round << ": sequences not dense";
      ++expect_seq;
      ASSERT_EQ(rec.size(), 20u);
      int64_t n = rec.timestamps[0] / 1000;
      ASSERT_GT(n, prev_n) << "round " << round;
      prev_n = n;
      auto a = acked.find(rec.sequence);
      if (a != acked.end()) {
        ASSERT_EQ(a->second, n) << "seq " << rec.sequence;
      }
      for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(rec.timestamps[i], n * 1000);
        uint64_t want = (i == 0 && n % 7 == 0)
                            ? kStaleNaNBits
                            : std::bit_cast<uint64_t>(static_cast<double>(n * 100 + i));
        ASSERT_EQ(std::bit_cast<uint64_t>(rec.values[i]), want) << "seq " << rec.sequence;
      }
    }
    EXPECT_EQ(reader->skipped_corrupt(), 0u);
    const uint64_t last = expect_seq - 1;
    // Every acknowledged append is present.
    if (!acked.empty()) {
      ASSERT_GE(last, acked.rbegin()->first) << "round " << round;
    }
    total_records = last;
    next_n = prev_n + 1;
  }
  EXPECT_GT(total_records, 0u);
  std::printf("%d rounds, %zu acknowledged appends, %llu records\n", rounds, acked.size(),
              static_cast<unsigned long long>(total_records));
}

}  // namespace
}  // namespace ferry::wal
