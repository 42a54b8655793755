#include "src/selector/selector.h"

#include <re2/re2.h>

#include <cctype>

namespace ferry::selector {
namespace {

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || std::isdigit(static_cast<unsigned char>(c)); }
bool IsMetricNameChar(char c) { return IsNameChar(c) || c == ':'; }

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view in) : in_(in) {}

  Result<Selector> Run() {
    std::vector<Matcher> matchers;
    SkipSpace();
    if (Done()) return Selector();
    if (IsNameStart(Peek()) || Peek() == ':') {
      size_t start = pos_;
      while (!Done() && IsMetricNameChar(Peek())) ++pos_;
      FERRY_ASSIGN_OR_RETURN(auto m, Matcher::Make(MatchType::kEqual, std::string(labels::kMetricName),
                                                   std::string(in_.substr(start, pos_ - start))));
      matchers.push_back(std::move(m));
      SkipSpace();
      if (Done()) return Selector(std::move(matchers));
    }
    if (Peek() != '{') return Error("expected '{' or a metric name");
    ++pos_;
    for (;;) {
      SkipSpace();
      if (Done()) return Error("unexpected end of input, expected '}'");
      if (Peek() == '}') {
        ++pos_;
        break;
      }
      if (!IsNameStart(Peek())) return Error("expected a label name");
      size_t start = pos_;
      while (!Done() && IsNameChar(Peek())) ++pos_;
      std::string name(in_.substr(start, pos_ - start));
      SkipSpace();
      FERRY_ASSIGN_OR_RETURN(MatchType type, ParseOp());
      SkipSpace();
      FERRY_ASSIGN_OR_RETURN(std::string value, ParseString());
      auto m = Matcher::Make(type, name, value);
      if (!m.ok()) return Error(m.status().message());
      matchers.push_back(std::move(m).value());
      SkipSpace();
      if (Done()) return Error("unexpected end of input, expected ',' or '}'");
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() != '}') return Error("expected ',' or '}'");
    }
    SkipSpace();
    if (!Done()) return Error("unexpected characters after the selector");
    return Selector(std::move(matchers));
  }

 private:
  bool Done() const { return pos_ >= in_.size(); }
  char Peek() const { return in_[pos_]; }
  void SkipSpace() {
    while (!Done() && std::isspace(static_cast<unsigned char>(Peek()))) ++pos_;
  }
  Status Error(std::string_view what) const {
    return Status::InvalidArgument("1:" + std::to_string(pos_ + 1) + ": " + std::string(what));
  }

  Result<MatchType> ParseOp() {
    auto rest = in_.substr(pos_);
    if (rest.substr(0, 2) == "=~") { pos_ += 2; return MatchType::kRegexMatch; }
    if (rest.substr(0, 2) == "!~") { pos_ += 2; return MatchType::kRegexNoMatch; }
    if (rest.substr(0, 2) == "!=") { pos_ += 2; return MatchType::kNotEqual; }
    if (rest.substr(0, 1) == "=") { pos_ += 1; return MatchType::kEqual; }
    return Error("expected one of =, !=, =~, !~");
  }

  // PromQL strings: "..." and '...' with Go escapes, `...` raw.
  Result<std::string> ParseString() {
    if (Done()) return Error("expected a string");
    char quote = Peek();
    if (quote != '"' && quote != '\'' && quote != '`') return Error("expected a string");
    ++pos_;
    std::string out;
    while (!Done()) {
      char c = in_[pos_++];
      if (c == quote) return out;
      if (quote == '`' || c != '\\') {
        if (c == '\n' && quote != '`') return Error("newline in string");
        out += c;
        continue;
      }
      if (Done()) break;
      char e = in_[pos_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case '\\': out += '\\'; break;
        case '"': case '\'': out += e; break;
        default:
          return Error(std::string("unknown escape sequence '\\") + e + "'");
      }
    }
    return Error("unterminated string");
  }

  std::string_view in_;
  size_t pos_ = 0;
};

const char* OpString(MatchType t) {
  switch (t) {
    case MatchType::kEqual: return "=";
    case MatchType::kNotEqual: return "!=";
    case MatchType::kRegexMatch: return "=~";
    case MatchType::kRegexNoMatch: return "!~";
  }
  return "=";
}

}  // namespace

Result<Matcher> Matcher::Make(MatchType type, std::string name, std::string value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch) {
    RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_dot_nl(true);  // Go's regexp in PromQL is compiled with (?s)
    auto re = std::make_shared<const RE2>("^(?:" + m.value_ + ")$", opts);
    if (!re->ok()) {
      return Status::InvalidArgument("invalid regular expression \"" + m.value_ + "\" for label " +
                                     m.name_ + ": " + re->error());
    }
    m.re_ = std::move(re);
  }
  return m;
}

bool Matcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual: return v == value_;
    case MatchType::kNotEqual: return v != value_;
    case MatchType::kRegexMatch: return RE2::FullMatch(v, *re_);
    case MatchType::kRegexNoMatch: return !RE2::FullMatch(v, *re_);
  }
  return false;
}

std::string Matcher::ToString() const {
  std::string out = name_ + OpString(type_);
  labels::AppendQuoted(&out, value_);
  return out;
}

bool Selector::Matches(const labels::Labels& series) const {
  for (const Matcher& m : matchers_) {
    if (!m.Matches(series.Get(m.name()))) return false;
  }
  return true;
}

std::string Selector::ToString() const {
  std::string out = "{";
  for (size_t i = 0; i < matchers_.size(); ++i) {
    if (i) out += ", ";
    out += matchers_[i].ToString();
  }
  return out + "}";
}

Result<Selector> Parse(std::string_view text) { return SelectorParser(text).Run(); }

}  // namespace ferry::selector
