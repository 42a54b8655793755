#include "src/remote/write_request_v1.h"

#include <gtest/gtest.h>

#include <string>

#include "src/remote/compression.h"
#include "src/remote/decode.h"
#include "src/remote/proto/remote.pb.h"
#include "tests/remote/remote_test_util.h"

namespace ferry::remote {
namespace {

using labels::Labels;
using testing::Expected;
using testing::Hex;
using testing::InputSeries;

// The same request built with the protoc-generated classes, from the wire
// form of the input (sorted, empty values dropped).
std::string ReferenceEncoding(const std::vector<InputSeries>& in,
                              const std::vector<MetricMetadata>& md) {
  prometheus::WriteRequest req;
  for (const InputSeries& s : in) {
    prometheus::TimeSeries* ts = req.add_timeseries();
    for (const labels::Label& l : testing::WireLabels(s.labels)) {
      prometheus::Label* pl = ts->add_labels();
      pl->set_name(l.name);
      pl->set_value(l.value);
    }
    for (const Sample& x : s.samples) {
      prometheus::Sample* ps = ts->add_samples();
      ps->set_value(x.value);
      ps->set_timestamp(x.timestamp_ms);
    }
    for (const Exemplar& e : s.exemplars) {
      prometheus::Exemplar* pe = ts->add_exemplars();
      for (const labels::Label& l : testing::WireLabels(e.labels)) {
        prometheus::Label* pl = pe->add_labels();
        pl->set_name(l.name);
        pl->set_value(l.value);
      }
      pe->set_value(e.value);
      pe->set_timestamp(e.timestamp_ms);
    }
  }
  for (const MetricMetadata& m : md) {
    prometheus::MetricMetadata* pm = req.add_metadata();
    pm->set_type(static_cast<prometheus::MetricMetadata::MetricType>(m.type));
    pm->set_metric_family_name(m.metric_family_name);
    pm->set_help(m.help);
    pm->set_unit(m.unit);
  }
  std::string out;
  EXPECT_TRUE(req.SerializeToString(&out));
  return out;
}

TEST(WriteRequestBuilderTest, MatchesGoldenBytes) {
  WriteRequestBuilder b;
  const Sample samples[] = {{1000, 1.0}};
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"job", "x"}, {"__name__", "up"}}), samples).ok());
  b.AddMetadata({MetricType::kGauge, "up", "1 if up", ""});
  const std::string want =
      "0a28"  // timeseries, 40 bytes
      "0a0e"
      "0a085f5f6e616d655f5f"
      "12027570"  // label __name__="up"
      "0a08"
      "0a036a6f62"
      "120178"  // label job="x"
      "120c"
      "09000000000000f03f"
      "10e807"  // sample 1.0 @ 1000
      "1a0f"    // metadata, 15 bytes
      "0802"
      "12027570"
      "2207"
      "31206966207570";  // GAUGE, "up", help "1 if up"
  EXPECT_EQ(Hex(b.Finish()), want);
}

TEST(WriteRequestBuilderTest, EmptyRequestIsEmptyBytes) {
  WriteRequestBuilder b;
  EXPECT_EQ(b.Finish(), "");
  auto d = DecodeWriteRequestV1(b.Finish());
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->series.empty());
}

TEST(WriteRequestBuilderTest, ByteIdenticalToGeneratedClassesAndRoundTrips) {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testing::RandomInput gen(seed);
    std::vector<InputSeries> in = gen.Series(12);
    std::vector<MetricMetadata> md = gen.Metadata(3);
    WriteRequestBuilder b;
    for (const InputSeries& s : in) ASSERT_TRUE(b.AddSeries(s.labels, s.samples, s.exemplars).ok());
    for (const MetricMetadata& m : md) b.AddMetadata(m);
    EXPECT_EQ(Hex(b.Finish()), Hex(ReferenceEncoding(in, md)));
    EXPECT_EQ(b.size_bytes(), b.Finish().size());

    auto got = DecodeWriteRequestV1(b.Finish());
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::vector<DecodedSeries> want;
    for (const InputSeries& s : in) want.push_back(Expected(s, /*v2=*/false));
    testing::ExpectSameSeriesList(want, got->series);
    EXPECT_EQ(got->metadata, md);
  }
}

TEST(WriteRequestBuilderTest, SortsLabelsAndDropsEmptyValues) {
  // FromSorted trusts its caller; a builder must still put the wire in order.
  std::vector<labels::Label> unsorted = {
      {"zone", "z1"}, {"empty", ""}, {"__name__", "m"}, {"a", "1"}};
  Labels ls = Labels::FromUnsorted(unsorted);
  WriteRequestBuilder b;
  ASSERT_TRUE(b.AddSeries(ls, {}).ok());
  auto d = DecodeWriteRequestV1(b.Finish());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->series.size(), 1u);
  EXPECT_EQ(d->series[0].labels, Labels::Of({{"__name__", "m"}, {"a", "1"}, {"zone", "z1"}}));
}

#ifdef NDEBUG  // FromSorted DCHECKs its precondition in debug builds.
TEST(WriteRequestBuilderTest, SortsLabelsThatBypassedSorting) {
  Labels ls = Labels::FromSorted({{"zone", "z1"}, {"__name__", "m"}, {"b", ""}, {"a", "1"}});
  WriteRequestBuilder b;
  ASSERT_TRUE(b.AddSeries(ls, {}).ok());
  auto d = DecodeWriteRequestV1(b.Finish());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->series[0].labels, Labels::Of({{"__name__", "m"}, {"a", "1"}, {"zone", "z1"}}));
}
#endif

TEST(WriteRequestBuilderTest, RejectsDuplicateOrEmptyNamesAndAppendsNothing) {
  WriteRequestBuilder b;
  const Sample s[] = {{1, 1}};
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "ok"}}), s).ok());
  const std::string before(b.Finish());

  Status dup = b.AddSeries(Labels::FromUnsorted({{"job", "a"}, {"job", "b"}}), s);
  EXPECT_TRUE(dup.IsInvalidArgument());
  EXPECT_NE(dup.message().find("duplicate label name \"job\""), std::string::npos) << dup.message();

  Status unlabelled = b.AddSeries(Labels::Of({{"only_empty", ""}}), s);
  EXPECT_TRUE(unlabelled.IsInvalidArgument());
  EXPECT_NE(unlabelled.message().find("no labels with a non-empty value"), std::string::npos);
  EXPECT_TRUE(b.AddSeries(Labels(), s).IsInvalidArgument());

  Status empty = b.AddSeries(Labels::FromUnsorted({{"", "v"}}), s);
  EXPECT_TRUE(empty.IsInvalidArgument());
  EXPECT_NE(empty.message().find("empty label name"), std::string::npos);

  const Exemplar bad[] = {{Labels::FromUnsorted({{"t", "1"}, {"t", "2"}}), 1, 1}};
  Status ex = b.AddSeries(Labels::Of({{"__name__", "m"}}), s, bad);
  EXPECT_TRUE(ex.IsInvalidArgument());
  EXPECT_NE(ex.message().find("exemplar"), std::string::npos) << ex.message();
  EXPECT_NE(ex.message().find("__name__=\"m\""), std::string::npos) << ex.message();

  EXPECT_EQ(b.Finish(), before);
  EXPECT_EQ(b.series(), 1u);
  EXPECT_EQ(b.samples(), 1u);
}

TEST(WriteRequestBuilderTest, StaleNaNBitsSurviveEncodeCompressDecode) {
  WriteRequestBuilder b;
  const double payload_nan = std::bit_cast<double>(uint64_t{0x7ff8000000000001});
  const Sample s[] = {{10, StaleNaN()}, {20, payload_nan}, {30, -0.0}, {40, 0.0}};
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "m"}}), s).ok());
  std::string wire;
  Compress(b.Finish(), &wire);
  auto raw = Decompress(wire);
  ASSERT_TRUE(raw.ok());
  auto d = DecodeWriteRequestV1(*raw);
  ASSERT_TRUE(d.ok());
  const auto& got = d->series.at(0).samples;
  ASSERT_EQ(got.size(), 4u);
  EXPECT_TRUE(IsStaleNaN(got[0].value));
  EXPECT_EQ(std::bit_cast<uint64_t>(got[0].value), kStaleNaNBits);
  EXPECT_FALSE(IsStaleNaN(got[1].value));
  EXPECT_EQ(std::bit_cast<uint64_t>(got[1].value), uint64_t{0x7ff8000000000001});
  EXPECT_EQ(std::bit_cast<uint64_t>(got[2].value), std::bit_cast<uint64_t>(-0.0));
  EXPECT_EQ(std::bit_cast<uint64_t>(got[3].value), 0u);
  EXPECT_EQ(got[3].timestamp_ms, 40);
}

TEST(WriteRequestBuilderTest, ResetReusesTheBuilder) {
  WriteRequestBuilder b;
  const Sample s[] = {{5, 2.5}};
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "first"}}), s).ok());
  b.AddMetadata({MetricType::kCounter, "first", "", ""});
  b.Reset();
  EXPECT_EQ(b.series(), 0u);
  EXPECT_EQ(b.metadata(), 0u);
  EXPECT_EQ(b.size_bytes(), 0u);
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "second"}}), s).ok());
  WriteRequestBuilder fresh;
  ASSERT_TRUE(fresh.AddSeries(Labels::Of({{"__name__", "second"}}), s).ok());
  EXPECT_EQ(b.Finish(), fresh.Finish());
}

TEST(WriteRequestBuilderTest, CountsWhatWasAdded) {
  WriteRequestBuilder b;
  const Sample s[] = {{1, 1}, {2, 2}, {3, 3}};
  const Exemplar e[] = {{Labels::Of({{"trace_id", "abc"}}), 1.5, 2}};
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "a"}}), s, e).ok());
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "b"}}), std::span(s, 1)).ok());
  b.AddMetadata({});
  EXPECT_EQ(b.series(), 2u);
  EXPECT_EQ(b.samples(), 4u);
  EXPECT_EQ(b.exemplars(), 1u);
  EXPECT_EQ(b.metadata(), 1u);
}

}  // namespace
}  // namespace ferry::remote
