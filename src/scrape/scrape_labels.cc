// ScrapeAppender: the labels of cache entries that released them
// (ScrapeCache::Entry::derived()): rebuilt from the series bytes alone.
//
// Once a series has a WAL ref its labels are read only on rare paths (the
// WAL collected the ref, a reload hands the series over, staleness then),
// so an entry keeps them only when its key does not rebuild them exactly:
// the key is parsed as a one-line text-format body and goes through
// BuildLabels (target labels, metric_relabel_configs, limits) as on the
// first scrape; the result is compared with the labels before they are
// released, so a series whose labels depend on more than its bytes (a
// histogram's "le" rewritten after its TYPE line, the report series)
// keeps them. The appender's settings never change, so the rebuild is
// deterministic.
#include <memory>
#include <string>

#include "src/base/check.h"
#include "src/parse/parser.h"
#include "src/scrape/scrape_append.h"

namespace ferry::scrape {

bool ScrapeAppender::DeriveLabels(std::string_view key, labels::Labels* out) const {
  std::string line;
  line.reserve(key.size() + 3);
  line.append(key).append(" 0\n");
  std::unique_ptr<parse::Parser> p = parse::NewTextParser(line);
  auto entry = p->Next();
  if (!entry.ok() || *entry != parse::Entry::kSeries || p->Series() != key) return false;
  labels::LabelsBuilder lb;
  p->Labels(&lb);
  Status error;
  return BuildLabels(&lb, out, &error) && error.ok();
}

void ScrapeAppender::MaybeReleaseLabels(ScrapeCache::Entry* e) const {
  if (e->derived() || e->dropped()) return;
  labels::Labels derived;
  if (DeriveLabels(e->key(), &derived) && e->labels == derived) e->ReleaseDerivableLabels();
}

labels::Labels ScrapeAppender::LabelsOf(const ScrapeCache::Entry& e) const {
  if (!e.derived()) return e.labels.Unpack();
  labels::Labels l;
  // Checked when the labels were released: a broken invariant, not input.
  FERRY_CHECK(DeriveLabels(e.key(), &l));
  return l;
}

std::vector<labels::PackedLabels> ScrapeAppender::PreviousSeries() const {
  std::vector<labels::PackedLabels> out;
  out.reserve(cache_.previous().size());
  for (const ScrapeCache::Entry* e : cache_.previous()) {
    out.push_back(e->derived() ? labels::PackedLabels::Pack(LabelsOf(*e)) : e->labels);
  }
  return out;
}

}  // namespace ferry::scrape
