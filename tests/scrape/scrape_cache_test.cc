// ScrapeCache's own structures (the open-addressing table of inline-key
// entries, dropped entries, garbage collection, the 16-byte tape entries)
// and ScrapeAppender's release of labels that a series' bytes rebuild.
#include "src/scrape/scrape_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <string>
#include <vector>

#include "src/relabel/relabel.h"
#include "src/scrape/scrape_append.h"
#include "tests/scrape/relabel_test_util.h"

namespace ferry::scrape {
namespace {

using labels::Labels;
constexpr char kText[] = "text/plain; version=0.0.4";
constexpr int64_t kTs = 1'700'000'000'000;

std::string Key(int i) { return "m{i=\"" + std::to_string(i) + "\"}"; }
Labels LabelsFor(int i) { return Labels::Of({{"__name__", "m"}, {"i", std::to_string(i)}}); }

TEST(ScrapeCacheTest, FindsEveryKeyAcrossGrowthAndTellsDroppedApart) {
  ScrapeCache c;
  EXPECT_EQ(c.Find("m"), nullptr);
  std::vector<ScrapeCache::Entry*> entries;
  for (int i = 0; i < 5000; ++i) {
    entries.push_back(i % 7 == 0 ? c.InsertDropped(Key(i)) : c.Insert(Key(i), LabelsFor(i)));
  }
  EXPECT_EQ(c.size(), 5000u - 715u);  // dropped entries are not counted
  for (int i = 0; i < 5000; ++i) {
    ScrapeCache::Entry* e = c.Find(Key(i));
    ASSERT_EQ(e, entries[i]) << i;  // growth moved no entry
    EXPECT_EQ(e->key(), Key(i));
    EXPECT_EQ(e->dropped(), i % 7 == 0);
    EXPECT_EQ(c.IsDropped(Key(i)), i % 7 == 0);
    if (!e->dropped()) {
      EXPECT_EQ(e->labels, LabelsFor(i));
    }
  }
  // Prefixes, extensions and the empty key are other keys.
  EXPECT_EQ(c.Find("m{i=\"1\""), nullptr);
  EXPECT_EQ(c.Find("m{i=\"1\"}x"), nullptr);
  EXPECT_EQ(c.Find(""), nullptr);
  ScrapeCache::Entry* empty = c.InsertDropped("");
  EXPECT_EQ(c.Find(""), empty);
  EXPECT_EQ(empty->key(), "");
}

TEST(ScrapeCacheTest, GarbageCollectionErasesUnseenEntriesAndKeepsProbingIntact) {
  ScrapeCache c;
  c.NextIteration();
  for (int i = 0; i < 1000; ++i) {
    ScrapeCache::Entry* e = i % 5 == 0 ? c.InsertDropped(Key(i)) : c.Insert(Key(i), LabelsFor(i));
    c.Touch(e);
  }
  c.CollectGarbage();
  // Two more iterations that see only the even keys: the odd ones go.
  for (int it = 0; it < 2; ++it) {
    c.NextIteration();
    for (int i = 0; i < 1000; i += 2) c.Touch(c.Find(Key(i)));
    c.CollectGarbage();
  }
  for (int i = 0; i < 1000; ++i) {
    ScrapeCache::Entry* e = c.Find(Key(i));
    if (i % 2 == 1) {
      EXPECT_EQ(e, nullptr) << i;
    } else {
      ASSERT_NE(e, nullptr) << i;
      EXPECT_EQ(e->key(), Key(i));
    }
  }
  EXPECT_EQ(c.size(), 400u);  // 500 even keys, 100 of them dropped
  // A key inserted after the collection is found, the erased stay gone.
  c.Insert(Key(1), LabelsFor(1));
  EXPECT_NE(c.Find(Key(1)), nullptr);
  EXPECT_EQ(c.Find(Key(3)), nullptr);
  // Nothing seen for two iterations: everything goes.
  c.NextIteration();
  c.CollectGarbage();
  c.NextIteration();
  c.CollectGarbage();
  c.NextIteration();
  c.CollectGarbage();
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.Find(Key(0)), nullptr);
  c.Insert(Key(0), LabelsFor(0));
  EXPECT_NE(c.Find(Key(0)), nullptr);
}

TEST(ScrapeCacheTest, TapeEntriesKeepOnlyTheirOwnBytes) {
  ScrapeCache c;
  c.NextIteration();
  ScrapeCache::Entry* e = c.Insert("up", Labels::Of({{"__name__", "up"}}));
  c.AddTape(ScrapeCache::TapeKind::kComment, "# hi\n", nullptr);
  c.AddTapeSample("\n  ", e, " \t", /*recorded=*/true);
  c.AddTape(ScrapeCache::TapeKind::kEnd, "", nullptr);
  c.CommitOrder();
  ASSERT_EQ(c.tape().size(), 3u);
  EXPECT_EQ(c.tape_bytes(), "# hi\n\n   \t");  // the series bytes are the entry's
  const ScrapeCache::TapeEntry& t = c.tape()[1];
  EXPECT_EQ(t.kind(), ScrapeCache::TapeKind::kSample);
  EXPECT_TRUE(t.recorded());
  EXPECT_FALSE(t.dropped());
  EXPECT_EQ(t.entry(), e);
  EXPECT_EQ(t.len(), 5u);
  EXPECT_EQ(t.sep(), 2u);
  EXPECT_EQ(t.key_len(), 2u);
  EXPECT_EQ(std::string_view(t.key_data(), t.key_len()), "up");
  EXPECT_EQ(c.tape()[0].len(), 5u);
  EXPECT_EQ(c.tape_bytes().substr(c.tape()[0].len(), t.len()), "\n   \t");
}

TEST(ScrapeCacheTest, AnEntryLongerThanATapeEntryCountsAbandonsTheTape) {
  ScrapeCache c;
  c.NextIteration();
  c.AddTape(ScrapeCache::TapeKind::kComment, std::string(70000, '#'), nullptr);
  EXPECT_TRUE(c.tape_abandoned());
  c.AddTape(ScrapeCache::TapeKind::kEnd, "", nullptr);  // ignored
  c.CommitOrder();
  EXPECT_TRUE(c.tape().empty());
  EXPECT_TRUE(c.tape_bytes().empty());
}

// --- Labels released once a series has a ref, rebuilt from its bytes. ---

void FakeCommit(ScrapeAppender& app, wal::Batch& batch, wal::SeriesRef* next_ref) {
  for (auto& p : batch.pending()) batch.mutable_refs()[p.index] = (*next_ref)++;
  app.Committed(batch);
}

std::vector<Labels> PendingLabels(const wal::Batch& b) {
  std::vector<Labels> out;
  for (const auto& p : b.pending()) out.push_back(p.labels);
  return out;
}

TEST(ScrapeCacheLabelsTest, LabelsTheBytesRebuildAreReleasedAndComeBackExactly) {
  // Target labels that clash with exposed ones (exported_*), escapes, and a
  // relabel rule: all of it is rebuilt from the key alone.
  relabel::RelabelConfig rule;
  rule.source_labels = {"path"};
  rule.regex = "/(.*)";
  rule.target_label = "route";
  rule.replacement = "r_$1";
  rule.action = relabel::Action::kReplace;
  std::vector<relabel::RelabelConfig> rules = {rule};
  auto r = relabel::Relabeler::Compile(rules);
  ASSERT_TRUE(r.ok());
  ScrapeAppender app(Labels::Of({{"instance", "a:1"}, {"job", "node"}}),
                     {.metric_relabeler = r->get()});
  const std::string body =
      "a{path=\"/x\",instance=\"in\"} 1\n"
      "b{q=\"\\\"\\\\\\n\"} 2\n"
      "# TYPE h histogram\n"
      "h_bucket{le=\"1\"} 3\n"
      "h_bucket{le=\"+Inf\"} 4\n"
      "h_count 4\nh_sum 1\n";
  wal::SeriesRef next = 1;
  wal::Batch b1;
  ASSERT_TRUE(app.AddScrape(body, kText, kTs, &b1).error.ok());
  const std::vector<Labels> first = PendingLabels(b1);
  ASSERT_EQ(first.size(), 6u);
  EXPECT_EQ(first[0], Labels::Of({{"__name__", "a"}, {"exported_instance", "in"},
                                  {"instance", "a:1"}, {"job", "node"}, {"path", "/x"},
                                  {"route", "r_x"}}));
  EXPECT_EQ(first[2].Get("le"), "1.0");  // rewritten after the TYPE line
  FakeCommit(app, b1, &next);

  const ScrapeCache& c = app.cache();
  EXPECT_TRUE(c.Find("a{path=\"/x\",instance=\"in\"}")->derived());
  EXPECT_TRUE(c.Find("b{q=\"\\\"\\\\\\n\"}")->derived());
  EXPECT_TRUE(c.Find("h_count")->derived());
  // "le" depends on the TYPE line before it, not on the bytes: kept.
  EXPECT_FALSE(c.Find("h_bucket{le=\"1\"}")->derived());
  for (const ScrapeCache::Entry* e : c.previous()) {
    EXPECT_EQ(e->derived(), e->labels.empty());
    EXPECT_FALSE(e->dropped());
  }

  // The WAL forgets every ref: the same label sets come back for all of
  // them, on the fast path and on the full one, and for stale markers.
  app.mutable_cache().ForgetRefs();
  wal::Batch b2;
  ASSERT_TRUE(app.AddScrape(body, kText, kTs + 1000, &b2).error.ok());
  EXPECT_EQ(PendingLabels(b2), first);
  FakeCommit(app, b2, &next);
  app.mutable_cache().ForgetRefs();
  wal::Batch b3;
  auto out = app.AddScrape("h_count 5\n", kText, kTs + 2000, &b3);
  ASSERT_TRUE(out.error.ok());
  EXPECT_EQ(out.stale, 5u);
  std::vector<Labels> got = PendingLabels(b3);
  std::vector<Labels> want = first;
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);

  // A reload hands the same label sets over.
  std::vector<labels::PackedLabels> inherited = app.PreviousSeries();
  ASSERT_EQ(inherited.size(), 6u);
  for (const labels::PackedLabels& l : inherited) {
    EXPECT_TRUE(std::find(first.begin(), first.end(), l.Unpack()) != first.end())
        << l.ToString();
  }
}

TEST(ScrapeCacheLabelsTest, ReportSeriesKeepTheirLabels) {
  ScrapeAppender app(Labels::Of({{"job", "node"}}), {});
  wal::Batch b;
  app.AddReport(kTs, {.up = true}, &b);
  ASSERT_EQ(b.pending().size(), 5u);
  wal::SeriesRef next = 1;
  FakeCommit(app, b, &next);
  app.mutable_cache().ForgetRefs();
  wal::Batch b2;
  app.AddReport(kTs + 1000, {.up = true}, &b2);
  ASSERT_EQ(b2.pending().size(), 5u);
  EXPECT_EQ(b2.pending()[0].labels, Labels::Of({{"__name__", "up"}, {"job", "node"}}));
}

TEST(ScrapeCacheLabelsTest, DroppedSeriesAreForgottenTwoScrapesAfterTheyVanish) {
  auto r = testing::DropNames("go_.*");
  ASSERT_NE(r, nullptr);
  ScrapeAppender app(Labels::Of({{"job", "node"}}), {.metric_relabeler = r.get()});
  wal::SeriesRef next = 1;
  const std::string bodies[] = {"go_x 1\nkeep 1\n", "go_x 2\nkeep 2\n", "keep 3\n", "keep 4\n",
                                "keep 5\n"};
  for (int i = 0; i < 5; ++i) {
    wal::Batch b;
    auto out = app.AddScrape(bodies[i], kText, kTs + i * 1000, &b);
    ASSERT_TRUE(out.error.ok());
    EXPECT_EQ(b.size(), 1u);  // only "keep", never a marker for "go_x"
    FakeCommit(app, b, &next);
    EXPECT_EQ(app.cache().IsDropped("go_x"), i < 3) << i;
    EXPECT_EQ(app.cache().size(), 1u);
  }
}

TEST(ScrapeCacheLabelsTest, SurvivorsKeepTheirStateWhenTheCacheCompacts) {
  // 1000 series, then a body with every 100th only: the erased entries are
  // most of the arena, so it is compacted; the survivors (in previous()
  // then) keep their refs, and staleness stays exact.
  ScrapeAppender app(Labels::Of({{"job", "node"}}), {});
  wal::SeriesRef next = 1;
  std::string full, few;
  for (int i = 0; i < 1000; ++i) {
    const std::string line = "m{i=\"" + std::to_string(i) + "\"} 1\n";
    full += line;
    if (i % 100 == 0) few += line;
  }
  wal::Batch b1;
  ASSERT_TRUE(app.AddScrape(full, kText, kTs, &b1).error.ok());
  FakeCommit(app, b1, &next);
  for (int round = 0; round < 3; ++round) {
    wal::Batch b;
    auto out = app.AddScrape(few, kText, kTs + (round + 1) * 1000, &b);
    ASSERT_TRUE(out.error.ok());
    EXPECT_EQ(out.stale, round == 0 ? 990u : 0u);
    EXPECT_TRUE(b.pending().empty()) << round;  // markers go by ref
    for (size_t i = 0; i < 10; ++i) EXPECT_EQ(b.ref(i), 1 + i * 100) << round;
    FakeCommit(app, b, &next);
  }
  EXPECT_EQ(app.cache().size(), 10u);
  EXPECT_EQ(app.cache().Find("m{i=\"1\"}"), nullptr);
  ASSERT_NE(app.cache().Find("m{i=\"100\"}"), nullptr);
  EXPECT_EQ(app.cache().Find("m{i=\"100\"}")->ref, 101u);
  // The survivors vanish: one marker each, by their refs.
  wal::Batch b;
  auto out = app.AddScrape("other 1\n", kText, kTs + 9000, &b);
  ASSERT_TRUE(out.error.ok());
  EXPECT_EQ(out.stale, 10u);
  ASSERT_EQ(b.size(), 11u);
  for (size_t i = 1; i < 11; ++i) EXPECT_EQ(b.ref(i), 1 + (i - 1) * 100);
}

}  // namespace
}  // namespace ferry::scrape
