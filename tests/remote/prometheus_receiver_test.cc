// Integration: Debian's real Prometheus (2.42, remote-write receiver enabled)
// accepts ferry's hand-encoded, snappy-compressed 1.0 requests with ferry's
// headers, stores exactly the samples sent, honours stale markers, and stores
// nothing from a 2.0 body (which it predates). All on 127.0.0.1.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "src/remote/compression.h"
#include "src/remote/headers.h"
#include "src/remote/write_request_v1.h"
#include "src/remote/write_request_v2.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace ferry::remote {
namespace {

using labels::Labels;

constexpr const char* kPrometheus = "/usr/bin/prometheus";

struct HttpResult {
  long status = 0;
  std::string body;
  std::string error;
};

size_t Collect(char* p, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, size * n);
  return size * n;
}

// One blocking request with a 10 s bound; "body" non-null means POST.
HttpResult Http(const std::string& url, const std::string* body,
                const std::vector<std::string>& headers) {
  HttpResult r;
  CURL* c = curl_easy_init();
  curl_slist* list = nullptr;
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  if (body != nullptr) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) r.error = curl_easy_strerror(rc);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(c);
  return r;
}

std::vector<std::string> RequestHeaders(ProtoMessage m) {
  return {std::string(kContentEncodingHeader) + ": " + std::string(kContentEncodingSnappy),
          std::string(kContentTypeHeader) + ": " + std::string(ContentType(m)),
          std::string(kVersionHeader) + ": " + std::string(VersionHeaderValue(m)),
          std::string(kUserAgentHeader) + ": " + std::string(UserAgent())};
}

class PrometheusReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPrometheus)) GTEST_SKIP() << kPrometheus << " not installed";
    port_ = ferry::testing::PickFreePort();
    ferry::testing::WriteFileOrDie(dir_.Sub("prometheus.yml"), "global:\n  scrape_interval: 1h\n");
    base_ = "http://127.0.0.1:" + std::to_string(port_);
    prom_ = std::make_unique<ferry::testing::Subprocess>(
        std::vector<std::string>{kPrometheus, "--config.file=" + dir_.Sub("prometheus.yml"),
                                 "--storage.tsdb.path=" + dir_.Sub("data"),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                 "--web.enable-remote-write-receiver",
                                 "--enable-feature=exemplar-storage"},
        dir_.Sub("prometheus"));
    ASSERT_TRUE(
        prom_->WaitForStderr("Server is ready to receive web requests", std::chrono::seconds(60)))
        << prom_->Stderr();
  }

  HttpResult Write(std::string_view uncompressed, ProtoMessage m) {
    std::string body;
    Compress(uncompressed, &body);
    return Http(base_ + "/api/v1/write", &body, RequestHeaders(m));
  }

  // Instant query at "t_ms"; returns the JSON body.
  std::string Query(const std::string& promql, int64_t t_ms) {
    char* q = curl_easy_escape(nullptr, promql.c_str(), static_cast<int>(promql.size()));
    std::string url = base_ + "/api/v1/query?query=" + q + "&time=" + std::to_string(t_ms / 1000) +
                      "." + std::to_string(1000 + t_ms % 1000).substr(1);
    curl_free(q);
    HttpResult r = Http(url, nullptr, {});
    EXPECT_EQ(r.status, 200) << r.error << r.body;
    return r.body;
  }

  // Recent timestamps, so the head block accepts them.
  int64_t now_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count() -
                    60'000;
  ferry::testing::TempDir dir_;
  int port_ = 0;
  std::string base_;
  std::unique_ptr<ferry::testing::Subprocess> prom_;
};

TEST_F(PrometheusReceiverTest, StoresWhatTheV1EncoderSent) {
  WriteRequestBuilder b;
  const Sample s[] = {{now_ms_, 1.25}, {now_ms_ + 1000, 2.5}, {now_ms_ + 2000, 42.5}};
  ASSERT_TRUE(
      b.AddSeries(
           Labels::FromUnsorted(
               {{"zone", "eu"}, {"__name__", "ferry_rw_test"}, {"dropped", ""}, {"job", "j1"}}),
           s)
          .ok());
  b.AddMetadata({MetricType::kGauge, "ferry_rw_test", "A test gauge.", ""});
  HttpResult r = Write(b.Finish(), ProtoMessage::kV1WriteRequest);
  ASSERT_EQ(r.status, 204) << r.error << r.body << prom_->Stderr();

  std::string at_last = Query("ferry_rw_test", now_ms_ + 2000);
  EXPECT_NE(at_last.find("\"42.5\""), std::string::npos) << at_last;
  EXPECT_NE(at_last.find("\"job\":\"j1\""), std::string::npos) << at_last;
  EXPECT_NE(at_last.find("\"zone\":\"eu\""), std::string::npos) << at_last;
  EXPECT_EQ(at_last.find("dropped"), std::string::npos) << at_last;
  EXPECT_NE(Query("ferry_rw_test", now_ms_).find("\"1.25\""), std::string::npos);
  EXPECT_NE(Query("count_over_time(ferry_rw_test[10s])", now_ms_ + 2000).find("\"3\""),
            std::string::npos);
}

TEST_F(PrometheusReceiverTest, StoresExemplars) {
  WriteRequestBuilder b;
  const Sample s[] = {{now_ms_, 3}};
  const Exemplar e[] = {{Labels::Of({{"trace_id", "4bf92f3577b34da6"}}), 0.125, now_ms_}};
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "ferry_rw_ex"}}), s, e).ok());
  HttpResult r = Write(b.Finish(), ProtoMessage::kV1WriteRequest);
  ASSERT_EQ(r.status, 204) << r.error << r.body;
  const std::string url = base_ + "/api/v1/query_exemplars?query=ferry_rw_ex&start=" +
                          std::to_string(now_ms_ / 1000 - 10) +
                          "&end=" + std::to_string(now_ms_ / 1000 + 10);
  HttpResult q = Http(url, nullptr, {});
  ASSERT_EQ(q.status, 200) << q.error << q.body;
  EXPECT_NE(q.body.find("\"trace_id\":\"4bf92f3577b34da6\""), std::string::npos) << q.body;
  EXPECT_NE(q.body.find("\"value\":\"0.125\""), std::string::npos) << q.body;
}

TEST_F(PrometheusReceiverTest, StaleMarkerEndsTheSeries) {
  WriteRequestBuilder b;
  const Sample s[] = {{now_ms_, 7}, {now_ms_ + 1000, StaleNaN()}};
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "ferry_rw_stale"}}), s).ok());
  HttpResult r = Write(b.Finish(), ProtoMessage::kV1WriteRequest);
  ASSERT_EQ(r.status, 204) << r.error << r.body;
  EXPECT_NE(Query("ferry_rw_stale", now_ms_ + 500).find("\"7\""), std::string::npos);
  // Without the marker the series would still show 7 for five minutes.
  std::string after = Query("ferry_rw_stale", now_ms_ + 2000);
  EXPECT_NE(after.find("\"result\":[]"), std::string::npos) << after;
}

TEST_F(PrometheusReceiverTest, RejectsACorruptBody) {
  std::string garbage = "definitely not snappy";
  HttpResult r =
      Http(base_ + "/api/v1/write", &garbage, RequestHeaders(ProtoMessage::kV1WriteRequest));
  EXPECT_EQ(r.status, 400) << r.body;
}

TEST_F(PrometheusReceiverTest, A2Point0BodyStoresNothingInA1Point0Receiver) {
  // Prometheus 2.42 predates remote write 2.0 and ignores Content-Type; the
  // 2.0 message reserves fields 1-3 so such a receiver sees an empty request.
  WriteRequestV2Builder b;
  const Sample s[] = {{now_ms_, 1}};
  ASSERT_TRUE(b.AddSeries(Labels::Of({{"__name__", "ferry_rw_v2"}}), s).ok());
  HttpResult r = Write(b.Finish(), ProtoMessage::kV2Request);
  EXPECT_LT(r.status, 500) << r.body;
  std::string q = Query("ferry_rw_v2", now_ms_);
  EXPECT_NE(q.find("\"result\":[]"), std::string::npos) << q;
}

}  // namespace
}  // namespace ferry::remote
