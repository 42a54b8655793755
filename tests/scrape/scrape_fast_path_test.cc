// The warm fast path (ScrapeSettings::fast_path) against the full parser:
// two appenders with the same settings, one with the fast path and one
// without, scrape the same sequence of bodies (the same body again, changed
// values, reordered, added and removed lines, changed HELP and comments,
// truncated bodies, malformed lines late in the body, byte flips) and must
// produce the same batches (refs, labels, timestamps, value bits), the same
// ScrapeOutcome, the same error text and the same metadata, scrape after
// scrape. Bodies: bench/testdata, the parse fuzz corpora, the integration
// test's edge bodies and a few written here. Deterministic seeds, bounded
// counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "src/relabel/relabel.h"
#include "src/scrape/scrape_append.h"
#include "tests/scrape/relabel_test_util.h"
#include "tests/integration/edge_bodies.h"
#include "tests/testing/test_util.h"

namespace ferry::scrape {
namespace {

using labels::Labels;
constexpr char kText[] = "text/plain; version=0.0.4";
constexpr char kOpenMetrics[] = "application/openmetrics-text; version=1.0.0";
constexpr int64_t kT0 = 1'700'000'000'000;

struct Body {
  std::string name;
  std::string content_type;
  std::string text;
};

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<Body> Corpus() {
  std::vector<Body> out;
  const std::filesystem::path root = testing::SourceDir();
  out.push_back({"node_exporter", kText, ReadFile(root / "bench/testdata/node_exporter.prom")});
  for (const auto& [dir, ct] : {std::pair{"fuzz/corpus/text_parser", kText},
                                std::pair{"fuzz/corpus/openmetrics_parser", kOpenMetrics}}) {
    std::vector<std::filesystem::path> files;
    for (const auto& f : std::filesystem::directory_iterator(root / dir)) files.push_back(f.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out.push_back({f.filename().string(), ct, ReadFile(f)});
  }
  for (int64_t n : {1, 5}) {
    auto tb = e2e::TextBody(kT0, n);
    out.push_back({"edge_text_" + std::to_string(n), tb.content_type, tb.text});
  }
  auto om = e2e::OpenMetricsBody(kT0, 2);
  out.push_back({"edge_openmetrics", om.content_type, om.text});
  auto hb = e2e::HonorBody(kT0, 2);
  out.push_back({"edge_honor", hb.content_type, hb.text});
  auto gb = e2e::GoneBody(kT0, 2);
  out.push_back({"edge_gone", gb.content_type, gb.text});
  // Shapes the full parser handles that the tape must reproduce exactly.
  out.push_back({"blank_lines_and_blanks", kText,
                 "\n\n  # HELP a A.\n\t# TYPE a counter\n  a{x=\"1\"}   1  \n\n a 2\t\n\n"});
  out.push_back({"duplicates_and_timestamps", kText,
                 "d 1\nd 2\nt 1 1000\nt 2 2000\nt 3\nd{} 4\n"});
  out.push_back({"no_final_newline", kText, "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1"});
  out.push_back({"multiline_label_value", kText, "m{v=\"line1\nline2\"} 5\nn 1\n"});
  out.push_back({"utf8_names", kText, "{\"my.metric\",\"a.b\"=\"c\"} 1\n{\"my.metric\"} 2\n"});
  out.push_back({"values", kText,
                 "v{k=\"a\"} NaN\nv{k=\"b\"} +Inf\nv{k=\"c\"} -inf\nv{k=\"d\"} 1e-320\n"
                 "v{k=\"e\"} -0\nv{k=\"f\"} .5\nv{k=\"g\"} 0x1p-2\nv{k=\"h\"} 9007199254740993\n"});
  return out;
}

// One scrape's observable result.
struct Result {
  std::string error;
  uint64_t total = 0, added = 0, series_added = 0, stale = 0, duplicates = 0;
  std::vector<wal::SeriesRef> refs;
  std::vector<int64_t> ts;
  std::vector<uint64_t> value_bits;
  std::vector<std::pair<size_t, Labels>> pending;
  std::vector<MetricMetadata> metadata;

  bool operator==(const Result&) const = default;
};

std::string Describe(const Result& r) {
  std::string s = "error=\"" + r.error + "\" total=" + std::to_string(r.total) +
                  " added=" + std::to_string(r.added) +
                  " series_added=" + std::to_string(r.series_added) +
                  " stale=" + std::to_string(r.stale) +
                  " duplicates=" + std::to_string(r.duplicates) +
                  " samples=" + std::to_string(r.refs.size()) +
                  " pending=" + std::to_string(r.pending.size()) +
                  " metadata=" + std::to_string(r.metadata.size()) + "\n";
  for (size_t i = 0; i < r.refs.size() && i < 400; ++i) {
    s += "  ref=" + std::to_string(r.refs[i]) + " ts=" + std::to_string(r.ts[i]) +
         " bits=" + std::to_string(r.value_bits[i]) + "\n";
  }
  return s;
}

// An appender and the WAL refs it would get.
class Side {
 public:
  explicit Side(ScrapeSettings s)
      : app_(Labels::Of({{"instance", "h:1"}, {"job", "j"}}), s) {}

  Result Scrape(const Body& body, int64_t ts, bool commit) {
    wal::Batch b(1);
    ScrapeOutcome out = app_.AddScrape(body.text, body.content_type, ts, &b);
    app_.AddReport(ts, {.up = out.error.ok(), .samples_scraped = out.total}, &b);
    Result r = Capture(out, b);
    Finish(b, commit);
    return r;
  }
  Result Failed(int64_t ts) {
    wal::Batch b(1);
    ScrapeOutcome out = app_.AddFailedScrape(ts, &b);
    Result r = Capture(out, b);
    Finish(b, true);
    return r;
  }
  const ScrapeAppender& app() const { return app_; }

 private:
  Result Capture(const ScrapeOutcome& out, const wal::Batch& b) {
    Result r;
    r.error = out.error.ok() ? "" : out.error.ToString();
    r.total = out.total;
    r.added = out.added;
    r.series_added = out.series_added;
    r.stale = out.stale;
    r.duplicates = out.duplicates;
    r.refs = b.refs();
    r.ts = b.timestamps();
    for (double v : b.values()) r.value_bits.push_back(std::bit_cast<uint64_t>(v));
    for (const auto& p : b.pending()) r.pending.emplace_back(p.index, p.labels);
    app_.cache().metadata().List(&r.metadata);
    std::sort(r.metadata.begin(), r.metadata.end(),
              [](const MetricMetadata& x, const MetricMetadata& y) { return x.family < y.family; });
    return r;
  }
  void Finish(wal::Batch& b, bool commit) {
    if (!commit) {
      // A failed WAL append: the loop aborts, forgets refs and rebuilds.
      app_.Aborted();
      app_.mutable_cache().ForgetRefs();
      return;
    }
    for (auto& p : b.pending()) b.mutable_refs()[p.index] = next_ref_++;
    app_.Committed(b);
  }

  ScrapeAppender app_;
  wal::SeriesRef next_ref_ = 1;
};

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size() - 1;
    out.push_back(s.substr(start, nl - start + 1));
    start = nl + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l;
  return s;
}

const char* const kValues[] = {"0",     "1",      "-1",    "3.25",   "1e3",     "NaN",
                               "nan",   "+Inf",   "-Inf",  "Inf",    "inf",     "+1",
                               "-0",    "0x1p3",  "1_000", "1e400",  "-1e400",  "1e-400",
                               ".5",    "5.",     "abc",   "",       "12345678901234567890",
                               "1.7976931348623157e+308", "4.9e-324", "+.5e-3", "infinity",
                               "0.1 1700000000000", "2 -5", "7 99999999999999999999"};

// Replaces the last blank-separated token of some sample lines.
std::string ChangeValues(const std::string& body, std::mt19937& rng, bool valid_only) {
  std::vector<std::string> lines = Lines(body);
  for (std::string& l : lines) {
    if (l.empty() || l[0] == '#' || rng() % 2 == 0) continue;
    size_t end = l.size() - (l.back() == '\n' ? 1 : 0);
    size_t blank = l.find_last_of(" \t", end == 0 ? 0 : end - 1);
    if (blank == std::string::npos || blank + 1 >= end) continue;
    std::string v = valid_only ? std::to_string(rng() % 100000) + "." + std::to_string(rng() % 10)
                               : kValues[rng() % std::size(kValues)];
    l = l.substr(0, blank + 1) + v + l.substr(end);
  }
  return Join(lines);
}

std::string Mutate(const std::string& body, std::mt19937& rng) {
  std::vector<std::string> lines = Lines(body);
  if (lines.empty()) return "x 1\n";
  auto pick = [&] { return rng() % lines.size(); };
  switch (rng() % 12) {
    case 0:
      return ChangeValues(body, rng, false);
    case 1:
      std::swap(lines[pick()], lines[pick()]);
      break;
    case 2: {  // added series (a renamed copy) or a repeated line
      std::string l = lines[pick()];
      if (rng() % 2 == 0 && !l.empty() && l[0] != '#') l = "x_" + l;
      lines.insert(lines.begin() + static_cast<long>(pick()), l);
      break;
    }
    case 3:
      lines.erase(lines.begin() + static_cast<long>(pick()));
      break;
    case 4:
      for (auto& l : lines) {
        if (l.rfind("# HELP", 0) == 0 && l.back() == '\n') {
          l.insert(l.size() - 1, " changed");
          break;
        }
      }
      break;
    case 5:
      lines.insert(lines.begin() + static_cast<long>(pick()), "# a comment " +
                                                                  std::to_string(rng() % 9) + "\n");
      break;
    case 6:
      return body.substr(0, rng() % (body.size() + 1));  // truncated
    case 7: {  // a malformed line late in the body
      size_t at = lines.size() - std::min<size_t>(lines.size(), 1 + rng() % 3);
      lines.insert(lines.begin() + static_cast<long>(at), "bad{ line\n");
      break;
    }
    case 8: {  // blanks where the tape has none (or more)
      std::string& l = lines[pick()];
      l.insert(rng() % (l.size() + 1), rng() % 2 ? " " : "\n");
      break;
    }
    case 9: {
      std::string& l = lines[pick()];
      if (!l.empty()) l[rng() % l.size()] ^= static_cast<char>(1 << (rng() % 8));
      break;
    }
    case 10:
      lines.push_back(rng() % 2 ? "\n" : "trailing 1\n");
      break;
    case 11:
      for (auto& l : lines) {
        if (rng() % 4 == 0 && l.size() > 1 && l.back() == '\n') l.insert(l.size() - 1, "\r");
      }
      break;
  }
  return Join(lines);
}

const relabel::Relabeler* Dropper() {
  static const std::unique_ptr<relabel::Relabeler> r =
      testing::DropNames(".*_bucket|edge_drop_me|go_.*|d");
  return r.get();
}

std::vector<std::pair<std::string, ScrapeSettings>> SettingsVariants() {
  std::vector<std::pair<std::string, ScrapeSettings>> v;
  v.push_back({"default", {}});
  ScrapeSettings no_ts;
  no_ts.honor_timestamps = false;
  v.push_back({"no_honor_timestamps", no_ts});
  ScrapeSettings track;
  track.track_timestamps_staleness = true;
  v.push_back({"track_timestamps_staleness", track});
  ScrapeSettings limit;
  limit.sample_limit = 6;
  v.push_back({"sample_limit", limit});
  ScrapeSettings relabel;
  relabel.metric_relabeler = Dropper();
  relabel.honor_labels = true;
  v.push_back({"relabel_drop", relabel});
  return v;
}

TEST(ScrapeFastPathTest, SameResultsAsTheFullParserOverMutatedBodies) {
  const std::vector<Body> corpus = Corpus();
  ASSERT_GE(corpus.size(), 20u);
  uint64_t fast_total = 0, scrapes = 0;
  for (const auto& [variant, settings] : SettingsVariants()) {
    for (size_t bi = 0; bi < corpus.size(); ++bi) {
      const Body& base = corpus[bi];
      SCOPED_TRACE(variant + " / " + base.name);
      ScrapeSettings fast_settings = settings, full_settings = settings;
      fast_settings.fast_path = true;
      full_settings.fast_path = false;
      Side fast(fast_settings), full(full_settings);
      std::mt19937 rng(static_cast<uint32_t>(1000 * bi + 17));
      Body last = base;
      int64_t ts = kT0;
      for (int step = 0; step < 60; ++step) {
        Body next{base.name, base.content_type, base.text};
        const uint32_t dice = rng() % 20;
        if (step < 2 || dice < 5) {
          // the same body again
        } else if (dice < 11) {
          next.text = ChangeValues(base.text, rng, /*valid_only=*/true);
        } else if (dice < 17) {
          next.text = Mutate(base.text, rng);
        } else if (dice < 19) {
          next.text = Mutate(last.text, rng);  // mutations pile up
        }
        ts += 15000;
        Result a, b;
        if (dice == 19) {
          a = fast.Failed(ts);
          b = full.Failed(ts);
        } else {
          const bool commit = rng() % 16 != 0;
          a = fast.Scrape(next, ts, commit);
          b = full.Scrape(next, ts, commit);
        }
        ++scrapes;
        ASSERT_TRUE(a == b) << "step " << step << " body:\n"
                            << next.text.substr(0, 2000) << "\nfast: " << Describe(a)
                            << "full: " << Describe(b);
        last = next;
      }
      EXPECT_EQ(full.app().fast_scrapes(), 0u);
      fast_total += fast.app().fast_scrapes();
    }
  }
  // The comparison means something only if the fast path ran often.
  EXPECT_GT(fast_total, scrapes / 5) << fast_total << " of " << scrapes;
  std::printf("fast path taken in %llu of %llu scrapes\n", static_cast<unsigned long long>(fast_total),
              static_cast<unsigned long long>(scrapes));
}

TEST(ScrapeFastPathTest, WarmTextScrapesTakeTheFastPathAndFallBackOnChange) {
  ScrapeSettings s;
  Side side(s);
  Body body{"b", kText, "# HELP a A.\n# TYPE a gauge\na{x=\"1\"} 1\nb 2 1000\n"};
  int64_t ts = kT0;
  ASSERT_EQ(side.Scrape(body, ts += 15000, true).error, "");
  EXPECT_EQ(side.app().fast_scrapes(), 0u);  // cold: full parser, tape built
  body.text = "# HELP a A.\n# TYPE a gauge\na{x=\"1\"} 7.5\nb 3 2000\n";
  Result r = side.Scrape(body, ts += 15000, true);
  EXPECT_EQ(side.app().fast_scrapes(), 1u);
  ASSERT_EQ(r.refs.size(), 2u + 5u);  // two samples, five report series
  EXPECT_EQ(r.value_bits[0], std::bit_cast<uint64_t>(7.5));
  EXPECT_EQ(r.ts[1], 2000);
  // A new HELP text: the full parser again, and the metadata follows.
  body.text = "# HELP a Changed.\n# TYPE a gauge\na{x=\"1\"} 1\nb 2 1000\n";
  r = side.Scrape(body, ts += 15000, true);
  EXPECT_EQ(side.app().fast_scrapes(), 1u);
  ASSERT_EQ(r.metadata.size(), 1u);
  EXPECT_EQ(r.metadata[0].help, "Changed.");
  // A malformed value: the full parser reports it with line and column.
  body.text = "# HELP a Changed.\n# TYPE a gauge\na{x=\"1\"} 1x\nb 2 1000\n";
  r = side.Scrape(body, ts += 15000, true);
  EXPECT_EQ(r.error,
            "invalid argument: line 3 col 10: invalid value \"1x\": invalid syntax (in line "
            "\"a{x=\\\"1\\\"} 1x\")");
}

TEST(ScrapeFastPathTest, FailedScrapeThatChangedMetadataIsNotVouchedForByTheTape) {
  Side side(ScrapeSettings{});
  int64_t ts = kT0;
  const Body good{"g", kText, "# HELP a One.\na 1\n"};
  ASSERT_EQ(side.Scrape(good, ts += 15000, true).error, "");
  // Prometheus keeps metadata lines parsed before an error.
  Result r = side.Scrape({"f", kText, "# HELP a Two.\na{ 1\n"}, ts += 15000, true);
  ASSERT_NE(r.error, "");
  ASSERT_EQ(r.metadata[0].help, "Two.");
  // The same body as the tape's: the HELP line must be applied again.
  r = side.Scrape(good, ts += 15000, true);
  EXPECT_EQ(r.metadata[0].help, "One.");
}

// The staleness shortcut (ScrapeCache::AllPreviousTracked) after the
// sequences that could fool a counter: an aborted append retried with fewer
// series, a failed scrape, series switching to explicit timestamps.
TEST(ScrapeFastPathTest, StaleMarkersAfterAbortsFailuresAndTimestampSwitches) {
  for (bool fast : {true, false}) {
    SCOPED_TRACE(fast ? "fast path" : "full parser");
    ScrapeSettings s;
    s.fast_path = fast;
    Side side(s);
    int64_t ts = kT0;
    const Body ab{"ab", kText, "a 1\nb 2\n"};
    const Body a{"a", kText, "a 1\n"};
    const Body b_ts{"b_ts", kText, "a 1\nb 2 1000\n"};
    ASSERT_EQ(side.Scrape(ab, ts += 15000, true).stale, 0u);
    ASSERT_EQ(side.Scrape(ab, ts += 15000, true).stale, 0u);
    // An aborted append of the full body, then the retry without "b".
    ASSERT_EQ(side.Scrape(ab, ts += 15000, false).stale, 0u);
    EXPECT_EQ(side.Scrape(a, ts += 15000, true).stale, 1u);
    EXPECT_EQ(side.Scrape(ab, ts += 15000, true).stale, 0u);
    EXPECT_EQ(side.Scrape(ab, ts += 15000, true).stale, 0u);
    // A failed scrape marks both; the next success marks nothing again.
    EXPECT_EQ(side.Failed(ts += 15000).stale, 2u);
    EXPECT_EQ(side.Scrape(a, ts += 15000, true).stale, 0u);
    EXPECT_EQ(side.Scrape(ab, ts += 15000, true).stale, 0u);
    EXPECT_EQ(side.Scrape(ab, ts += 15000, true).stale, 0u);
    // "b" now carries its own timestamp: exposed, so not stale, and no
    // longer tracked; dropping it later writes no marker.
    EXPECT_EQ(side.Scrape(b_ts, ts += 15000, true).stale, 0u);
    EXPECT_EQ(side.Scrape(b_ts, ts += 15000, true).stale, 0u);
    EXPECT_EQ(side.Scrape(a, ts += 15000, true).stale, 0u);
    EXPECT_EQ(side.Scrape(ab, ts += 15000, true).stale, 0u);
    EXPECT_EQ(side.Scrape(a, ts += 15000, true).stale, 1u);
    // "c" comes back (tracked two scrapes ago) as "b" goes: the count must
    // not take one for the other.
    const Body ac{"ac", kText, "a 1\nc 3\n"};
    EXPECT_EQ(side.Scrape(ac, ts += 15000, true).stale, 0u);
    EXPECT_EQ(side.Scrape(ab, ts += 15000, true).stale, 1u);
    EXPECT_EQ(side.Scrape(ac, ts += 15000, true).stale, 1u);
  }
}

}  // namespace
}  // namespace ferry::scrape
