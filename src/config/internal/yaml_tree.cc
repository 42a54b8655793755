// The yaml-cpp adapter: every yaml-cpp call and every exception it can throw
// stays in this file.
#include "src/config/internal/yaml_tree.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <exception>
#include <string>

namespace ferry::config::internal {
namespace {

YamlMark ToMark(const YAML::Mark& m) {
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

std::string Where(const std::string& filename, const YamlMark& mark) {
  std::string out = filename.empty() ? std::string("<config>") : filename;
  if (mark.line > 0) {
    // Appended piecewise: "lit" + std::string&& trips GCC 12's -Wrestrict
    // false positive (PR105651).
    out += ':';
    out += std::to_string(mark.line);
    out += ':';
    out += std::to_string(mark.column);
  }
  return out;
}

class Converter {
 public:
  explicit Converter(const std::string& filename) : filename_(filename) {}

  // May throw yaml-cpp exceptions; the caller catches them.
  Status Convert(const YAML::Node& in, YamlNode* out, int depth) {
    if (++count_ > kMaxYamlNodes) {
      return Status::InvalidArgument(Where(filename_, ToMark(in.Mark())) +
                                     ": yaml: document too large (aliases expand to more than " +
                                     std::to_string(kMaxYamlNodes) + " nodes)");
    }
    if (depth > kMaxDepth) {
      return Status::InvalidArgument(Where(filename_, ToMark(in.Mark())) +
                                     ": yaml: nesting deeper than " + std::to_string(kMaxDepth));
    }
    out->mark = ToMark(in.Mark());
    switch (in.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out->kind = YamlNode::Kind::kNull;
        return Status::Ok();
      case YAML::NodeType::Scalar: {
        const std::string& tag = in.Tag();
        // Plain scalars carry the non-specific tag "?"; quoted ones "!".
        if (tag == "tag:yaml.org,2002:null") {
          out->kind = YamlNode::Kind::kNull;
          return Status::Ok();
        }
        out->kind = YamlNode::Kind::kScalar;
        out->scalar = in.Scalar();
        out->is_string = tag == "!" || tag == "tag:yaml.org,2002:str" || tag == "!!str";
        if (!out->is_string && tag == "?" && IsYamlNull(out->scalar)) {
          out->kind = YamlNode::Kind::kNull;
          out->scalar.clear();
        }
        return Status::Ok();
      }
      case YAML::NodeType::Sequence:
        out->kind = YamlNode::Kind::kSequence;
        out->items.reserve(in.size());
        for (const YAML::Node& child : in) {
          out->items.emplace_back();
          FERRY_RETURN_IF_ERROR(Convert(child, &out->items.back(), depth + 1));
        }
        return Status::Ok();
      case YAML::NodeType::Map:
        out->kind = YamlNode::Kind::kMap;
        out->entries.reserve(in.size());
        for (auto it = in.begin(); it != in.end(); ++it) {
          out->entries.emplace_back();
          FERRY_RETURN_IF_ERROR(Convert(it->first, &out->entries.back().first, depth + 1));
          FERRY_RETURN_IF_ERROR(Convert(it->second, &out->entries.back().second, depth + 1));
        }
        return Status::Ok();
    }
    return Status::Internal("unknown yaml-cpp node type");
  }

 private:
  static constexpr int kMaxDepth = 100;

  // YAML 1.1 null spellings for plain scalars ("~", "null", ...). yaml-cpp
  // reports them as scalars; Go's decoder treats them as null.
  static bool IsYamlNull(const std::string& s) {
    return s == "~" || s == "null" || s == "Null" || s == "NULL";
  }

  const std::string& filename_;
  size_t count_ = 0;
};

}  // namespace

std::string_view YamlNode::KindName() const {
  switch (kind) {
    case Kind::kNull:
      return "!!null";
    case Kind::kScalar:
      return "!!str";
    case Kind::kSequence:
      return "!!seq";
    case Kind::kMap:
      return "!!map";
  }
  return "?";
}

Result<YamlNode> ParseYaml(std::string_view text, const std::string& filename) {
  YamlNode root;
  try {
    YAML::Node doc = YAML::Load(std::string(text));
    Converter converter(filename);
    FERRY_RETURN_IF_ERROR(converter.Convert(doc, &root, 0));
  } catch (const YAML::DeepRecursion& e) {
    return Status::InvalidArgument(Where(filename, ToMark(e.mark)) +
                                   ": yaml: nesting too deep (more than " +
                                   std::to_string(e.depth()) + " levels)");
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(Where(filename, ToMark(e.mark)) + ": yaml: " + e.msg);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(Where(filename, {}) + ": yaml: " + e.what());
  }
  return root;
}

}  // namespace ferry::config::internal
