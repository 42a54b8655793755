#include "src/remote/headers.h"

#include <gtest/gtest.h>

#include <vector>

namespace ferry::remote {
namespace {

TEST(HeadersTest, ExactRequestHeaderValues) {
  EXPECT_EQ(kContentEncodingHeader, "Content-Encoding");
  EXPECT_EQ(kContentEncodingSnappy, "snappy");
  EXPECT_EQ(kContentTypeHeader, "Content-Type");
  EXPECT_EQ(ContentType(ProtoMessage::kV1WriteRequest), "application/x-protobuf");
  EXPECT_EQ(ContentType(ProtoMessage::kV2Request),
            "application/x-protobuf;proto=io.prometheus.write.v2.Request");
  EXPECT_EQ(kVersionHeader, "X-Prometheus-Remote-Write-Version");
  EXPECT_EQ(VersionHeaderValue(ProtoMessage::kV1WriteRequest), "0.1.0");
  EXPECT_EQ(VersionHeaderValue(ProtoMessage::kV2Request), "2.0.0");
  EXPECT_EQ(kUserAgentHeader, "User-Agent");
  EXPECT_EQ(UserAgent().substr(0, 6), "ferry/");
  EXPECT_GT(UserAgent().size(), 6u);
}

TEST(HeadersTest, ParsesProtobufMessage) {
  auto v1 = ParseProtoMessage("prometheus.WriteRequest");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(*v1, ProtoMessage::kV1WriteRequest);
  auto v2 = ParseProtoMessage("io.prometheus.write.v2.Request");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*v2, ProtoMessage::kV2Request);
  EXPECT_EQ(ProtoMessageName(*v2), "io.prometheus.write.v2.Request");
  auto bad = ParseProtoMessage("io.prometheus.write.v2.request");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_NE(bad.status().message().find("io.prometheus.write.v2.request"), std::string::npos);
}

TEST(HeadersTest, ProtoMessageFromContentType) {
  struct Case {
    const char* content_type;
    ProtoMessage want;
  };
  for (const Case& c :
       {Case{"", ProtoMessage::kV1WriteRequest},
        Case{"application/x-protobuf", ProtoMessage::kV1WriteRequest},
        Case{" Application/X-Protobuf ", ProtoMessage::kV1WriteRequest},
        Case{"application/x-protobuf;proto=prometheus.WriteRequest", ProtoMessage::kV1WriteRequest},
        Case{"application/x-protobuf;proto=io.prometheus.write.v2.Request",
             ProtoMessage::kV2Request},
        Case{"application/x-protobuf; charset=x; proto=\"io.prometheus.write.v2.Request\"",
             ProtoMessage::kV2Request}}) {
    auto m = ProtoMessageFromContentType(c.content_type);
    ASSERT_TRUE(m.ok()) << c.content_type << ": " << m.status().ToString();
    EXPECT_EQ(*m, c.want) << c.content_type;
  }
  // Our own request headers map back to their message.
  for (ProtoMessage m : {ProtoMessage::kV1WriteRequest, ProtoMessage::kV2Request}) {
    auto back = ProtoMessageFromContentType(ContentType(m));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, m);
  }
  for (const char* bad : {"application/json", "application/x-protobuf;proto",
                          "application/x-protobuf;proto=io.prometheus.write.v3.Request"}) {
    auto m = ProtoMessageFromContentType(bad);
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_TRUE(m.status().IsInvalidArgument());
    EXPECT_NE(m.status().message().find(bad), std::string::npos) << m.status().message();
  }
}

TEST(HeadersTest, ParsesWriteResponseStats) {
  std::vector<HeaderField> h = {{"content-type", "text/plain"},
                                {"x-prometheus-remote-write-samples-written", " 120 "},
                                {"X-Prometheus-Remote-Write-Exemplars-Written", "3"},
                                {"X-PROMETHEUS-REMOTE-WRITE-HISTOGRAMS-WRITTEN", "0"}};
  auto s = ParseWriteResponseStats(h);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, (WriteResponseStats{120, 0, 3, true}));
}

TEST(HeadersTest, MissingHeadersAreUnconfirmedZeros) {
  std::vector<HeaderField> h = {{"Content-Length", "0"}};
  auto s = ParseWriteResponseStats(h);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, WriteResponseStats{});
  EXPECT_FALSE(s->confirmed);
  // Empty values count as absent.
  h = {{kSamplesWrittenHeader, ""}};
  s = ParseWriteResponseStats(h);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->confirmed);
  // One header suffices to confirm, even when it says 0.
  h = {{kHistogramsWrittenHeader, "0"}};
  s = ParseWriteResponseStats(h);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->confirmed);
}

TEST(HeadersTest, FirstOccurrenceWins) {
  std::vector<HeaderField> h = {{kSamplesWrittenHeader, "5"}, {kSamplesWrittenHeader, "7"}};
  auto s = ParseWriteResponseStats(h);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->samples, 5);
}

TEST(HeadersTest, RejectsBadCounts) {
  for (const char* v : {"abc", "-1", "12x", "1.5", "99999999999999999999"}) {
    std::vector<HeaderField> h = {{kExemplarsWrittenHeader, v}};
    auto s = ParseWriteResponseStats(h);
    ASSERT_FALSE(s.ok()) << v;
    EXPECT_TRUE(s.status().IsInvalidArgument());
    EXPECT_NE(s.status().message().find("X-Prometheus-Remote-Write-Exemplars-Written"),
              std::string::npos);
    EXPECT_NE(s.status().message().find(v), std::string::npos);
  }
}

}  // namespace
}  // namespace ferry::remote
