#include "src/remote/write_request_v2.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "src/remote/compression.h"
#include "src/remote/decode.h"
#include "src/remote/proto/io/prometheus/write/v2/types.pb.h"
#include "tests/remote/remote_test_util.h"

namespace ferry::remote {
namespace {

using labels::Labels;
using testing::Expected;
using testing::Hex;
using testing::InputSeries;
namespace v2 = io::prometheus::write::v2;

Status Add(WriteRequestV2Builder& b, const InputSeries& s) {
  SeriesExtrasV2 extras;
  extras.exemplars = s.exemplars;
  extras.metadata = {s.type, s.help, s.unit};
  extras.created_timestamp_ms = s.created_timestamp_ms;
  return b.AddSeries(s.labels, s.samples, extras);
}

// The same request built with the generated classes, interning symbols in the
// order the builder documents (series labels, exemplar labels, help, unit) so
// that the bytes must match exactly.
class Reference {
 public:
  Reference() { Ref(""); }
  std::string Encode(const std::vector<InputSeries>& in) {
    for (const InputSeries& s : in) {
      v2::TimeSeries* ts = req_.add_timeseries();
      for (const labels::Label& l : testing::WireLabels(s.labels)) {
        ts->add_labels_refs(Ref(l.name));
        ts->add_labels_refs(Ref(l.value));
      }
      for (const Sample& x : s.samples) {
        v2::Sample* ps = ts->add_samples();
        ps->set_value(x.value);
        ps->set_timestamp(x.timestamp_ms);
      }
      for (const Exemplar& e : s.exemplars) {
        v2::Exemplar* pe = ts->add_exemplars();
        for (const labels::Label& l : testing::WireLabels(e.labels)) {
          pe->add_labels_refs(Ref(l.name));
          pe->add_labels_refs(Ref(l.value));
        }
        pe->set_value(e.value);
        pe->set_timestamp(e.timestamp_ms);
      }
      uint32_t help = s.help.empty() ? 0 : Ref(s.help);
      uint32_t unit = s.unit.empty() ? 0 : Ref(s.unit);
      if (s.type != MetricType::kUnknown || help != 0 || unit != 0) {
        v2::Metadata* md = ts->mutable_metadata();
        md->set_type(static_cast<v2::Metadata::MetricType>(s.type));
        md->set_help_ref(help);
        md->set_unit_ref(unit);
      }
      ts->set_created_timestamp(s.created_timestamp_ms);
    }
    std::string out;
    EXPECT_TRUE(req_.SerializeToString(&out));
    return out;
  }

 private:
  uint32_t Ref(const std::string& s) {
    auto [it, inserted] = refs_.emplace(s, static_cast<uint32_t>(req_.symbols_size()));
    if (inserted) req_.add_symbols(s);
    return it->second;
  }
  v2::Request req_;
  std::map<std::string, uint32_t> refs_;
};

TEST(WriteRequestV2BuilderTest, MatchesGoldenBytes) {
  WriteRequestV2Builder b;
  const Sample samples[] = {{1000, 1.0}};
  SeriesExtrasV2 extras;
  extras.metadata = {MetricType::kGauge, "1 if up", ""};
  extras.created_timestamp_ms = 5;
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"job", "x"}, {"__name__", "up"}}), samples, extras).ok());
  const std::string want =
      "2200"                  // symbols[0] = ""
      "22085f5f6e616d655f5f"  // symbols[1] = "__name__"
      "22027570"              // symbols[2] = "up"
      "22036a6f62"            // symbols[3] = "job"
      "220178"                // symbols[4] = "x"
      "2207"
      "31206966207570"  // symbols[5] = "1 if up"
      "2a1c"            // timeseries, 28 bytes
      "0a0401020304"    // labels_refs [1 2 3 4]
      "120c"
      "09000000000000f03f"
      "10e807"  // sample 1.0 @ 1000
      "2a04"
      "0802"
      "1805"   // metadata GAUGE, help_ref 5
      "3005";  // created_timestamp 5
  EXPECT_EQ(Hex(b.Finish()), want);
}

TEST(WriteRequestV2BuilderTest, EmptyRequestHasOnlyTheEmptySymbol) {
  WriteRequestV2Builder b;
  EXPECT_EQ(Hex(b.Finish()), "2200");
  auto d = DecodeWriteRequestV2(b.Finish());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->symbols, std::vector<std::string>{""});
}

TEST(WriteRequestV2BuilderTest, ByteIdenticalToGeneratedClassesAndRoundTrips) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testing::RandomInput gen(seed);
    std::vector<InputSeries> in = gen.Series(12);
    WriteRequestV2Builder b;
    for (const InputSeries& s : in) ASSERT_TRUE(Add(b, s).ok());
    EXPECT_EQ(b.size_bytes(), b.Finish().size());
    EXPECT_EQ(Hex(b.Finish()), Hex(Reference().Encode(in)));

    auto got = DecodeWriteRequestV2(b.Finish());
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::vector<DecodedSeries> want;
    for (const InputSeries& s : in) want.push_back(Expected(s, /*v2=*/true));
    testing::ExpectSameSeriesList(want, got->series);
    ASSERT_FALSE(got->symbols.empty());
    EXPECT_EQ(got->symbols[0], "");
    EXPECT_EQ(got->symbols.size(), b.symbols());
  }
}

TEST(WriteRequestV2BuilderTest, SymbolsAreDeduplicatedAcrossSeries) {
  WriteRequestV2Builder b;
  const Sample s[] = {{1, 1}};
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(
        b.AddSeries(Labels::Of({{"__name__", "m"}, {"job", "j"}, {"i", std::to_string(i % 10)}}), s)
            .ok());
  }
  // "", __name__, m, i, 0..9, job, j
  EXPECT_EQ(b.symbols(), 16u);
  auto d = DecodeWriteRequestV2(b.Finish());
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->series.size(), 100u);
  EXPECT_EQ(d->series[37].labels, Labels::Of({{"__name__", "m"}, {"i", "7"}, {"job", "j"}}));
}

TEST(WriteRequestV2BuilderTest, SortsLabelsAndDropsEmptyValues) {
  WriteRequestV2Builder b;
  ASSERT_TRUE(
      b.AddSeries(Labels::FromUnsorted({{"zone", "z"}, {"e", ""}, {"__name__", "m"}}), {}).ok());
  auto d = DecodeWriteRequestV2(b.Finish());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->series.at(0).labels, Labels::Of({{"__name__", "m"}, {"zone", "z"}}));
  // The dropped label's name never reaches the symbol table.
  for (const std::string& sym : d->symbols) EXPECT_NE(sym, "e");
}

TEST(WriteRequestV2BuilderTest, RejectedSeriesLeavesNoBytesOrSymbols) {
  WriteRequestV2Builder b;
  const Sample s[] = {{1, 1}};
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "ok"}}), s).ok());
  const std::string before(b.Finish());
  const size_t symbols = b.symbols();

  SeriesExtrasV2 extras;
  const Exemplar bad[] = {{Labels::FromUnsorted({{"t", "1"}, {"t", "2"}}), 1, 1}};
  extras.exemplars = bad;
  extras.metadata = {MetricType::kCounter, "new help", "new unit"};
  Status st = b.AddSeries(Labels::Of({{"__name__", "fresh"}}), s, extras);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("duplicate label name \"t\""), std::string::npos) << st.message();

  st = b.AddSeries(Labels::FromUnsorted({{"fresh", "1"}, {"fresh", "2"}}), s);
  EXPECT_TRUE(st.IsInvalidArgument());
  st = b.AddSeries(Labels::Of({{"fresh", ""}}), s);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("no labels with a non-empty value"), std::string::npos);

  EXPECT_EQ(b.symbols(), symbols);
  EXPECT_EQ(b.Finish(), before);
  EXPECT_EQ(b.series(), 1u);
}

TEST(WriteRequestV2BuilderTest, StaleNaNBitsSurviveEncodeCompressDecode) {
  WriteRequestV2Builder b;
  const Sample s[] = {{10, StaleNaN()}, {20, std::bit_cast<double>(uint64_t{0xfff0000000000003})}};
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "m"}}), s).ok());
  std::string wire;
  Compress(b.Finish(), &wire);
  auto raw = Decompress(wire);
  ASSERT_TRUE(raw.ok());
  auto d = DecodeWriteRequestV2(*raw);
  ASSERT_TRUE(d.ok());
  const auto& got = d->series.at(0).samples;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(std::bit_cast<uint64_t>(got[0].value), kStaleNaNBits);
  EXPECT_TRUE(IsStaleNaN(got[0].value));
  EXPECT_EQ(std::bit_cast<uint64_t>(got[1].value), uint64_t{0xfff0000000000003});
}

TEST(WriteRequestV2BuilderTest, ResetStartsAFreshSymbolTable) {
  WriteRequestV2Builder b;
  const Sample s[] = {{1, 1}};
  for (int i = 0; i < 5000; ++i) {  // grows the symbol table well past its initial size
    ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "m"}, {"i", std::to_string(i)}}), s).ok());
  }
  EXPECT_EQ(b.symbols(), 5004u);  // "", __name__, m, i, 0..4999
  b.Reset();
  EXPECT_EQ(b.symbols(), 1u);
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "x"}}), s).ok());
  WriteRequestV2Builder fresh;
  ASSERT_TRUE(fresh.AddSeries(Labels::Of({{"__name__", "x"}}), s).ok());
  EXPECT_EQ(b.Finish(), fresh.Finish());
}

TEST(WriteRequestV2BuilderTest, V1BytesParsedAsV2GiveAnEmptyRequest) {
  // Request reserves fields 1-3 so that a 1.0 body sent with the wrong
  // content type decodes to nothing rather than to garbage.
  auto d = DecodeWriteRequestV2(std::string("\x0a\x05\x0a\x03\x0a\x01\x61", 7));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->series.empty());
}

}  // namespace
}  // namespace ferry::remote
