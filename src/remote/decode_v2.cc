// DecodeWriteRequestV2: io.prometheus.write.v2.Request -> DecodedRequest.
#include "src/remote/decode.h"
#include "src/remote/internal/decode_util.h"
#include "src/remote/proto/io/prometheus/write/v2/types.pb.h"

namespace ferry::remote {
namespace {

using internal::Indexed;
namespace v2 = io::prometheus::write::v2;

class Resolver {
 public:
  explicit Resolver(const google::protobuf::RepeatedPtrField<std::string>& symbols)
      : symbols_(symbols) {}

  Status Get(const std::string& where, uint32_t ref, std::string_view* out) const {
    if (ref >= static_cast<uint32_t>(symbols_.size())) {
      return Status::InvalidArgument(where + ": symbol ref " + std::to_string(ref) +
                                     " out of range (" + std::to_string(symbols_.size()) +
                                     " symbols)");
    }
    *out = symbols_[static_cast<int>(ref)];
    return Status::Ok();
  }

  Status Labels(const google::protobuf::RepeatedField<uint32_t>& refs, const std::string& where,
                labels::Labels* out) const {
    const std::string field = where + ".labels_refs";
    if (refs.size() % 2 != 0) {
      return Status::InvalidArgument(field + ": odd length " + std::to_string(refs.size()) +
                                     " (must be name/value pairs)");
    }
    internal::LabelsChecker checker;
    for (int i = 0; i < refs.size(); i += 2) {
      std::string_view name, value;
      FERRY_RETURN_IF_ERROR(Get(Indexed(field, i), refs[i], &name));
      FERRY_RETURN_IF_ERROR(Get(Indexed(field, i + 1), refs[i + 1], &value));
      FERRY_RETURN_IF_ERROR(checker.Add(field, name, value));
    }
    *out = checker.Take();
    return Status::Ok();
  }

 private:
  const google::protobuf::RepeatedPtrField<std::string>& symbols_;
};

}  // namespace

Result<DecodedRequest> DecodeWriteRequestV2(std::string_view uncompressed) {
  if (uncompressed.size() > internal::kMaxProtoBytes) {
    return Status::InvalidArgument("io.prometheus.write.v2.Request: " +
                                   std::to_string(uncompressed.size()) + " bytes is too large");
  }
  v2::Request req;
  if (!req.ParseFromArray(uncompressed.data(), static_cast<int>(uncompressed.size()))) {
    return Status::InvalidArgument(
        "io.prometheus.write.v2.Request: " + std::to_string(uncompressed.size()) +
        " bytes do not parse (malformed protobuf or invalid UTF-8)");
  }
  if (req.symbols_size() > 0 && !req.symbols(0).empty()) {
    return Status::InvalidArgument("symbols[0]: must be the empty string, got \"" +
                                   req.symbols(0).substr(0, 64) + "\"");
  }
  const Resolver symbols(req.symbols());
  DecodedRequest out;
  out.symbols.assign(req.symbols().begin(), req.symbols().end());
  out.series.reserve(req.timeseries_size());
  for (int i = 0; i < req.timeseries_size(); ++i) {
    const v2::TimeSeries& ts = req.timeseries(i);
    const std::string where = Indexed("timeseries", i);
    DecodedSeries s;
    FERRY_RETURN_IF_ERROR(symbols.Labels(ts.labels_refs(), where, &s.labels));
    s.samples.reserve(ts.samples_size());
    for (const v2::Sample& in : ts.samples()) {
      s.samples.push_back(Sample{in.timestamp(), in.value()});
    }
    for (int j = 0; j < ts.exemplars_size(); ++j) {
      const v2::Exemplar& in = ts.exemplars(j);
      Exemplar e;
      FERRY_RETURN_IF_ERROR(
          symbols.Labels(in.labels_refs(), Indexed(where + ".exemplars", j), &e.labels));
      e.value = in.value();
      e.timestamp_ms = in.timestamp();
      s.exemplars.push_back(std::move(e));
    }
    s.histograms = static_cast<size_t>(ts.histograms_size());
    if (ts.has_metadata()) {
      const v2::Metadata& md = ts.metadata();
      const int type = md.type();
      if (type < 0 || type > static_cast<int>(kMaxMetricType)) {
        return Status::InvalidArgument(where + ".metadata.type: unknown metric type " +
                                       std::to_string(type));
      }
      s.type = static_cast<MetricType>(type);
      std::string_view help, unit;
      FERRY_RETURN_IF_ERROR(symbols.Get(where + ".metadata.help_ref", md.help_ref(), &help));
      FERRY_RETURN_IF_ERROR(symbols.Get(where + ".metadata.unit_ref", md.unit_ref(), &unit));
      s.help.assign(help);
      s.unit.assign(unit);
    }
    s.created_timestamp_ms = ts.created_timestamp();
    out.series.push_back(std::move(s));
  }
  return out;
}

}  // namespace ferry::remote
