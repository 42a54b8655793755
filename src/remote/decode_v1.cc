// DecodeWriteRequestV1: prometheus.WriteRequest -> DecodedRequest.
#include "src/remote/decode.h"
#include "src/remote/internal/decode_util.h"
#include "src/remote/proto/remote.pb.h"

namespace ferry::remote {
namespace {

using internal::Indexed;

Status DecodeLabels(const google::protobuf::RepeatedPtrField<prometheus::Label>& in,
                    const std::string& where, labels::Labels* out) {
  internal::LabelsChecker checker;
  for (int i = 0; i < in.size(); ++i) {
    FERRY_RETURN_IF_ERROR(checker.Add(Indexed(where + ".labels", i), in[i].name(), in[i].value()));
  }
  *out = checker.Take();
  return Status::Ok();
}

}  // namespace

Result<DecodedRequest> DecodeWriteRequestV1(std::string_view uncompressed) {
  if (uncompressed.size() > internal::kMaxProtoBytes) {
    return Status::InvalidArgument(
        "prometheus.WriteRequest: " + std::to_string(uncompressed.size()) + " bytes is too large");
  }
  prometheus::WriteRequest req;
  if (!req.ParseFromArray(uncompressed.data(), static_cast<int>(uncompressed.size()))) {
    return Status::InvalidArgument(
        "prometheus.WriteRequest: " + std::to_string(uncompressed.size()) +
        " bytes do not parse (malformed protobuf or invalid UTF-8)");
  }
  DecodedRequest out;
  out.series.reserve(req.timeseries_size());
  for (int i = 0; i < req.timeseries_size(); ++i) {
    const prometheus::TimeSeries& ts = req.timeseries(i);
    const std::string where = Indexed("timeseries", i);
    DecodedSeries s;
    FERRY_RETURN_IF_ERROR(DecodeLabels(ts.labels(), where, &s.labels));
    s.samples.reserve(ts.samples_size());
    for (const prometheus::Sample& in : ts.samples()) {
      s.samples.push_back(Sample{in.timestamp(), in.value()});
    }
    for (int j = 0; j < ts.exemplars_size(); ++j) {
      const prometheus::Exemplar& in = ts.exemplars(j);
      Exemplar e;
      FERRY_RETURN_IF_ERROR(DecodeLabels(in.labels(), Indexed(where + ".exemplars", j), &e.labels));
      e.value = in.value();
      e.timestamp_ms = in.timestamp();
      s.exemplars.push_back(std::move(e));
    }
    s.histograms = static_cast<size_t>(ts.histograms_size());
    out.series.push_back(std::move(s));
  }
  for (int i = 0; i < req.metadata_size(); ++i) {
    const prometheus::MetricMetadata& in = req.metadata(i);
    const int type = in.type();
    if (type < 0 || type > static_cast<int>(kMaxMetricType)) {
      return Status::InvalidArgument(Indexed("metadata", i) + ".type: unknown metric type " +
                                     std::to_string(type));
    }
    out.metadata.push_back(MetricMetadata{static_cast<MetricType>(type), in.metric_family_name(),
                                          in.help(), in.unit()});
  }
  return out;
}

}  // namespace ferry::remote
