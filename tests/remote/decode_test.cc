// Decoder error handling: every malformed request is a clear
// kInvalidArgument naming where the problem is.
#include "src/remote/decode.h"

#include <gtest/gtest.h>

#include <string>

#include "src/remote/proto/io/prometheus/write/v2/types.pb.h"
#include "src/remote/proto/remote.pb.h"

namespace ferry::remote {
namespace {

namespace v2 = io::prometheus::write::v2;

template <typename M>
std::string Bytes(const M& m) {
  std::string s;
  EXPECT_TRUE(m.SerializeToString(&s));
  return s;
}

void ExpectInvalid(const Result<DecodedRequest>& r, const std::string& fragment) {
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find(fragment), std::string::npos)
      << "message: " << r.status().message() << "\nwanted: " << fragment;
}

prometheus::WriteRequest V1With(std::initializer_list<std::pair<const char*, const char*>> ls) {
  prometheus::WriteRequest req;
  req.add_timeseries();  // a valid first series, so indices are checked
  prometheus::TimeSeries* ts = req.add_timeseries();
  for (const auto& [n, v] : ls) {
    prometheus::Label* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  }
  return req;
}

TEST(DecodeV1Test, RejectsMalformedLabels) {
  ExpectInvalid(DecodeWriteRequestV1(Bytes(V1With({{"b", "1"}, {"a", "2"}}))),
                "timeseries[1].labels[1]: labels not sorted: \"a\" after \"b\"");
  ExpectInvalid(DecodeWriteRequestV1(Bytes(V1With({{"a", "1"}, {"a", "2"}}))),
                "timeseries[1].labels[1]: duplicate label name \"a\"");
  ExpectInvalid(DecodeWriteRequestV1(Bytes(V1With({{"", "1"}}))),
                "timeseries[1].labels[0]: empty label name");
  ExpectInvalid(DecodeWriteRequestV1(Bytes(V1With({{"a", ""}}))),
                "timeseries[1].labels[0]: label \"a\" has an empty value");
}

TEST(DecodeV1Test, RejectsMalformedExemplarLabels) {
  prometheus::WriteRequest req;
  prometheus::Exemplar* e = req.add_timeseries()->add_exemplars();
  for (const char* n : {"z", "y"}) {
    prometheus::Label* l = e->add_labels();
    l->set_name(n);
    l->set_value("v");
  }
  ExpectInvalid(DecodeWriteRequestV1(Bytes(req)), "timeseries[0].exemplars[0].labels[1]");
}

TEST(DecodeV1Test, RejectsUnknownMetricType) {
  prometheus::WriteRequest req;
  req.add_metadata()->set_type(static_cast<prometheus::MetricMetadata::MetricType>(42));
  ExpectInvalid(DecodeWriteRequestV1(Bytes(req)), "metadata[0].type: unknown metric type 42");
}

TEST(DecodeV1Test, RejectsBytesThatAreNotProtobuf) {
  ExpectInvalid(DecodeWriteRequestV1("\x0a\xff"), "prometheus.WriteRequest: 2 bytes do not parse");
  ExpectInvalid(DecodeWriteRequestV1(std::string("\x0a\x05\x0a\x03", 4)), "do not parse");
  // Field 1 with wire type 7 (invalid).
  ExpectInvalid(DecodeWriteRequestV1("\x0f"), "do not parse");
}

TEST(DecodeV1Test, RejectsInvalidUtf8) {
  // Proto3 string fields must be UTF-8; the generated parser refuses others.
  ExpectInvalid(DecodeWriteRequestV1(Bytes(V1With({{"a", "\xff\xfe"}}))), "do not parse");
}

TEST(DecodeV1Test, CountsHistogramsWithoutDecodingThem) {
  prometheus::WriteRequest req;
  prometheus::TimeSeries* ts = req.add_timeseries();
  prometheus::Label* l = ts->add_labels();
  l->set_name("__name__");
  l->set_value("h");
  ts->add_histograms()->set_count_int(3);
  ts->add_histograms()->set_count_float(2.5);
  auto d = DecodeWriteRequestV1(Bytes(req));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->series.at(0).histograms, 2u);
}

v2::Request V2(std::initializer_list<const char*> symbols, std::initializer_list<uint32_t> refs) {
  v2::Request req;
  for (const char* s : symbols) req.add_symbols(s);
  v2::TimeSeries* ts = req.add_timeseries();
  for (uint32_t r : refs) ts->add_labels_refs(r);
  ts->add_samples()->set_value(1);
  return req;
}

TEST(DecodeV2Test, ResolvesSymbols) {
  auto d = DecodeWriteRequestV2(Bytes(V2({"", "__name__", "up", "job", "x"}, {1, 2, 3, 4})));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->series.at(0).labels, labels::Labels::Of({{"__name__", "up"}, {"job", "x"}}));
}

TEST(DecodeV2Test, RejectsBadReferences) {
  ExpectInvalid(DecodeWriteRequestV2(Bytes(V2({"", "a", "b"}, {1, 9}))),
                "timeseries[0].labels_refs[1]: symbol ref 9 out of range (3 symbols)");
  ExpectInvalid(DecodeWriteRequestV2(Bytes(V2({"", "a", "b"}, {1, 2, 1}))),
                "timeseries[0].labels_refs: odd length 3");
  ExpectInvalid(DecodeWriteRequestV2(Bytes(V2({"x", "a", "b"}, {1, 2}))),
                "symbols[0]: must be the empty string, got \"x\"");
  ExpectInvalid(DecodeWriteRequestV2(Bytes(V2({"", "a"}, {1, 0}))),
                "label \"a\" has an empty value");
  ExpectInvalid(DecodeWriteRequestV2(Bytes(V2({"", "b", "a", "v"}, {1, 3, 2, 3}))),
                "labels not sorted: \"a\" after \"b\"");
  // No symbols at all: ref 0 is out of range too.
  ExpectInvalid(DecodeWriteRequestV2(Bytes(V2({}, {0, 0}))), "out of range (0 symbols)");
}

TEST(DecodeV2Test, RejectsBadMetadata) {
  v2::Request req = V2({"", "__name__", "m"}, {1, 2});
  req.mutable_timeseries(0)->mutable_metadata()->set_help_ref(77);
  ExpectInvalid(DecodeWriteRequestV2(Bytes(req)), "timeseries[0].metadata.help_ref: symbol ref 77");
  req.mutable_timeseries(0)->mutable_metadata()->set_help_ref(0);
  req.mutable_timeseries(0)->mutable_metadata()->set_unit_ref(3);
  ExpectInvalid(DecodeWriteRequestV2(Bytes(req)), "timeseries[0].metadata.unit_ref: symbol ref 3");
  req.mutable_timeseries(0)->mutable_metadata()->set_unit_ref(0);
  req.mutable_timeseries(0)->mutable_metadata()->set_type(static_cast<v2::Metadata::MetricType>(8));
  ExpectInvalid(DecodeWriteRequestV2(Bytes(req)),
                "timeseries[0].metadata.type: unknown metric type 8");
}

TEST(DecodeV2Test, RejectsBadExemplarRefs) {
  v2::Request req = V2({"", "__name__", "m"}, {1, 2});
  req.mutable_timeseries(0)->add_exemplars()->add_labels_refs(1);
  ExpectInvalid(DecodeWriteRequestV2(Bytes(req)),
                "timeseries[0].exemplars[0].labels_refs: odd length 1");
}

TEST(DecodeV2Test, RejectsBytesThatAreNotProtobuf) {
  ExpectInvalid(DecodeWriteRequestV2("\x22\x05\x61"),
                "io.prometheus.write.v2.Request: 3 bytes do not parse");
}

TEST(DecodeV2Test, EmptyBodyIsAnEmptyRequest) {
  auto d = DecodeWriteRequestV2("");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->series.empty());
  EXPECT_TRUE(d->symbols.empty());
}

}  // namespace
}  // namespace ferry::remote
