#include "src/remote/encoded_labels.h"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "src/remote/decode.h"
#include "src/remote/internal/wire.h"
#include "src/remote/write_request_v1.h"
#include "src/remote/write_request_v2.h"
#include "tests/remote/remote_test_util.h"

namespace ferry::remote {
namespace {

using labels::Labels;
using testing::Hex;
using testing::InputSeries;

// "e"'s bytes cut into one piece per label, as a cache that stores labels
// in pieces hands them to the builder.
std::vector<std::string_view> PiecesOf(const EncodedLabels& e) {
  std::vector<std::string_view> pieces;
  for (std::string_view rest = e.bytes(); !rest.empty();) {
    uint64_t len;
    const char* body = internal::ReadTrustedVarint(rest.data() + 1, &len);
    const size_t n = static_cast<size_t>(body - rest.data()) + len;
    pieces.push_back(rest.substr(0, n));
    rest.remove_prefix(n);
  }
  return pieces;
}

EncodedLabels MustEncode(const Labels& ls) {
  Result<EncodedLabels> e = EncodedLabels::FromLabels(ls);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? std::move(*e) : EncodedLabels();
}

TEST(EncodedLabelsTest, GoldenBytes) {
  EncodedLabels e = MustEncode(Labels::Of({{"job", "x"}, {"__name__", "up"}}));
  EXPECT_EQ(Hex(e.bytes()),
            "0a0e"
            "0a085f5f6e616d655f5f"
            "12027570"  // __name__="up"
            "0a08"
            "0a036a6f62"
            "120178");  // job="x"
  EXPECT_EQ(e.allocated_bytes(), 4u + e.bytes().size());
}

TEST(EncodedLabelsTest, LongValuesTakeMultiByteLengths) {
  // A 200-byte value: the value's length (200) and the Label's (206) are
  // two-byte varints.
  EncodedLabels e = MustEncode(Labels::Of({{"a", std::string(200, 'v')}}));
  const std::string label = "0ace01"  // Label, 206 bytes
                            "0a0161"  // name "a"
                            "12c801";  // value, 200 bytes
  EXPECT_EQ(Hex(e.bytes()), label + Hex(std::string(200, 'v')));
  // 20000 bytes: three-byte varints; read back intact.
  const std::string big(20000, 'w');
  EncodedLabels f = MustEncode(Labels::Of({{"__name__", "m"}, {"big", big}}));
  ASSERT_EQ(f.CountLabels(), 2u);
  EXPECT_EQ(std::next(f.begin())->value, big);
  EXPECT_EQ(f.ToLabels(), Labels::Of({{"__name__", "m"}, {"big", big}}));
}

TEST(EncodedLabelsTest, SortsAndDropsEmptyValuesAsTheBuilderDoes) {
  Labels ls = Labels::FromUnsorted(
      {{"zone", "z1"}, {"empty", ""}, {"__name__", "m"}, {"a", "1"}, {"é", "日本"}});
  EncodedLabels e = MustEncode(ls);
  std::vector<LabelView> got(e.begin(), e.end());
  const std::vector<LabelView> want = {
      {"__name__", "m"}, {"a", "1"}, {"zone", "z1"}, {"é", "日本"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(e.ToString(), R"({__name__="m", a="1", zone="z1", é="日本"})");
  EXPECT_EQ(e.ToString(), testing::WireLabels(ls).ToString());
}

#ifdef NDEBUG  // FromSorted DCHECKs its precondition in debug builds.
TEST(EncodedLabelsTest, SortsLabelsThatBypassedSorting) {
  Labels ls = Labels::FromSorted({{"zone", "z1"}, {"__name__", "m"}, {"b", ""}, {"a", "1"}});
  EXPECT_EQ(MustEncode(ls).ToLabels(), Labels::Of({{"__name__", "m"}, {"a", "1"}, {"zone", "z1"}}));
}
#endif

TEST(EncodedLabelsTest, RefusesWhatTheBuilderRefusesWithTheSameText) {
  const Sample s[] = {{1, 1}};
  const Labels bad[] = {
      Labels::FromUnsorted({{"job", "a"}, {"job", "b"}}),
      Labels::FromUnsorted({{"", "v"}, {"a", "1"}}),
      Labels::Of({{"only_empty", ""}}),
      Labels(),
  };
  const char* want_text[] = {"duplicate label name \"job\"", "empty label name",
                             "no labels with a non-empty value",
                             "no labels with a non-empty value"};
  for (size_t i = 0; i < std::size(bad); ++i) {
    SCOPED_TRACE(bad[i].ToString());
    Result<EncodedLabels> e = EncodedLabels::FromLabels(bad[i]);
    ASSERT_FALSE(e.ok());
    EXPECT_TRUE(e.status().IsInvalidArgument());
    EXPECT_NE(e.status().message().find(want_text[i]), std::string::npos) << e.status().message();
    EXPECT_EQ(e.status().message().rfind("series {", 0), 0u) << e.status().message();
    WriteRequestBuilder b1;
    EXPECT_EQ(e.status(), b1.AddSeries(bad[i], s));
    WriteRequestV2Builder b2;
    EXPECT_EQ(e.status(), b2.AddSeries(bad[i], s));
  }
}

TEST(EncodedLabelsTest, EmptySetIsRefusedByBothBuildersAndAppendsNothing) {
  const Sample s[] = {{1, 1}};
  EncodedLabels empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.begin(), empty.end());
  EXPECT_EQ(empty.ToString(), "{}");
  EXPECT_EQ(empty.allocated_bytes(), 0u);
  WriteRequestBuilder b1;
  Status st = b1.AddSeries(empty, s);
  EXPECT_EQ(st, Status::InvalidArgument("series {}: no labels with a non-empty value"));
  EXPECT_EQ(st, b1.AddSeries(Labels(), s));
  EXPECT_EQ(st, b1.AddSeries(std::span<const std::string_view>(), s));
  const std::string_view empty_pieces[] = {"", ""};
  EXPECT_EQ(st, b1.AddSeries(std::span(empty_pieces), s));
  EXPECT_EQ(b1.Finish(), "");
  EXPECT_EQ(b1.series(), 0u);
  WriteRequestV2Builder b2;
  EXPECT_EQ(b2.AddSeries(empty, s), st);
  EXPECT_EQ(b2.series(), 0u);
  EXPECT_EQ(b2.symbols(), 1u);
}

TEST(EncodedLabelsTest, BadExemplarNamesTheSeriesAndAppendsNothing) {
  const Sample s[] = {{1, 1}};
  const Exemplar bad[] = {{Labels::FromUnsorted({{"t", "1"}, {"t", "2"}}), 1, 1}};
  const Labels ls = Labels::Of({{"__name__", "m"}});
  EncodedLabels e = MustEncode(ls);
  WriteRequestBuilder b1;
  Status st = b1.AddSeries(e, s, bad);
  EXPECT_EQ(st, b1.AddSeries(ls, s, bad));
  EXPECT_EQ(st, b1.AddSeries(std::span<const std::string_view>(PiecesOf(e)), s, bad));
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("series {__name__=\"m\"}: exemplar"), std::string::npos)
      << st.message();
  EXPECT_EQ(b1.Finish(), "");
  WriteRequestV2Builder b2;
  SeriesExtrasV2 extras;
  extras.exemplars = bad;
  EXPECT_EQ(b2.AddSeries(e, s, extras), st);
  EXPECT_EQ(b2.symbols(), 1u);
}

TEST(EncodedLabelsTest, CopiesAreDeepMovesLeaveTheEmptySet) {
  static_assert(sizeof(EncodedLabels) == sizeof(void*));
  EncodedLabels a = MustEncode(Labels::Of({{"__name__", "up"}, {"job", "x"}}));
  EncodedLabels b = a;
  EXPECT_EQ(a, b);
  EXPECT_NE(a.bytes().data(), b.bytes().data());
  EncodedLabels c = std::move(a);
  EXPECT_EQ(c, b);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented state
  EncodedLabels d = MustEncode(Labels::Of({{"__name__", "other"}}));
  d = b;
  EXPECT_EQ(d, b);
  const EncodedLabels& alias = d;
  d = alias;  // self-assignment keeps the value
  EXPECT_EQ(d.ToString(), R"({__name__="up", job="x"})");
  EXPECT_NE(d, MustEncode(Labels::Of({{"__name__", "up"}, {"job", "y"}})));
}

// The heart of it: for many awkward label sets (empty values, unicode,
// quotes, newlines, values over 127 bytes, exemplars), a request built from
// EncodedLabels is byte for byte the request built from the Labels, in RW 1.0
// and RW 2.0, and decodes back to the wire form of the labels.
TEST(EncodedLabelsTest, RequestsAreByteIdenticalToTheLabelsPath) {
  size_t series_seen = 0, long_values = 0, dropped_empty = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    testing::RandomInput gen(seed);
    std::vector<InputSeries> in = gen.Series(12);
    WriteRequestBuilder from_labels, from_encoded, from_pieces;
    WriteRequestV2Builder v2_from_labels, v2_from_encoded;
    for (const InputSeries& s : in) {
      const Labels want = testing::WireLabels(s.labels);
      EncodedLabels e = MustEncode(s.labels);
      ++series_seen;
      dropped_empty += s.labels.size() - want.size();
      for (const labels::Label& l : want) long_values += l.value.size() > 127;

      // The encoded set itself: the labels' wire form, readable back.
      EXPECT_EQ(e.ToLabels(), want);
      EXPECT_EQ(e.CountLabels(), want.size());
      EXPECT_EQ(e.ToString(), want.ToString());
      EXPECT_EQ(e, MustEncode(want));

      ASSERT_TRUE(from_labels.AddSeries(s.labels, s.samples, s.exemplars).ok());
      ASSERT_TRUE(from_encoded.AddSeries(e, s.samples, s.exemplars).ok());
      const std::vector<std::string_view> pieces = PiecesOf(e);
      ASSERT_TRUE(from_pieces.AddSeries(std::span(pieces), s.samples, s.exemplars).ok());
      SeriesExtrasV2 extras;
      extras.exemplars = s.exemplars;
      extras.metadata = {s.type, s.help, s.unit};
      extras.created_timestamp_ms = s.created_timestamp_ms;
      ASSERT_TRUE(v2_from_labels.AddSeries(s.labels, s.samples, extras).ok());
      ASSERT_TRUE(v2_from_encoded.AddSeries(e, s.samples, extras).ok());
    }
    ASSERT_EQ(Hex(from_encoded.Finish()), Hex(from_labels.Finish()));
    ASSERT_EQ(Hex(from_pieces.Finish()), Hex(from_labels.Finish()));
    EXPECT_EQ(from_encoded.series(), from_labels.series());
    EXPECT_EQ(from_encoded.samples(), from_labels.samples());
    ASSERT_EQ(Hex(v2_from_encoded.Finish()), Hex(v2_from_labels.Finish()));

    auto v1 = DecodeWriteRequestV1(from_encoded.Finish());
    ASSERT_TRUE(v1.ok()) << v1.status().ToString();
    auto v2 = DecodeWriteRequestV2(v2_from_encoded.Finish());
    ASSERT_TRUE(v2.ok()) << v2.status().ToString();
    std::vector<DecodedSeries> want_v1, want_v2;
    for (const InputSeries& s : in) {
      want_v1.push_back(testing::Expected(s, /*v2=*/false));
      want_v2.push_back(testing::Expected(s, /*v2=*/true));
    }
    testing::ExpectSameSeriesList(want_v1, v1->series);
    testing::ExpectSameSeriesList(want_v2, v2->series);
  }
  // The generator did produce the awkward cases this test is about.
  EXPECT_GT(series_seen, 1000u);
  EXPECT_GT(long_values, 100u);
  EXPECT_GT(dropped_empty, 50u);
}

}  // namespace
}  // namespace ferry::remote
