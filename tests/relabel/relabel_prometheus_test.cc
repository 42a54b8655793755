// Differential test: ferry's Relabeler against the real Prometheus.
//
// The test writes a prometheus.yml whose jobs carry many static labels and
// relabel_configs exercising every action, starts Debian's /usr/bin/prometheus
// on 127.0.0.1, reads /api/v1/targets?state=any, and checks, for every target,
// that ferry makes the same keep/drop decision and produces the same public
// label set from the same discoveredLabels. The targets are never reachable
// (scrape_interval is an hour and nothing listens on their ports).
//
// Prometheus 2.42 differs from current Prometheus in one replace corner
// (empty replacement with a templated target_label, see docs/relabeling.md);
// the rules below stay clear of it.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "src/relabel/relabel.h"
#include "tests/testing/test_util.h"

extern char** environ;

namespace ferry::relabel {
namespace {

using labels::Label;
using labels::Labels;
using LabelMap = std::map<std::string, std::string>;

constexpr const char* kPrometheus = "/usr/bin/prometheus";

struct Target {
  std::string address;
  LabelMap labels;
};

struct Job {
  std::string name;
  std::vector<Target> targets;
  std::vector<RelabelConfig> rules;
};

RelabelConfig R(RelabelConfig c) { return c; }

std::vector<Job> Jobs() {
  std::vector<Job> jobs;

  // replace: templates, named groups, $$, "$1x", defaults, deletion, case.
  Job replace{.name = "replace"};
  const char* colors[] = {"blue", "red", "green"};
  for (int i = 0; i < 6; ++i) {
    replace.targets.push_back(
        {"127.0.0.1:" + std::to_string(41000 + i),
         {{"__meta_kv", std::string("color=") + colors[i % 3]},
          {"__meta_tags", i % 2 ? "path:/p" + std::to_string(i) + ",job:j" : "nothing"},
          {"a", "A" + std::to_string(i)},
          {"b", "b\xC3\xA9"},
          {"mixed", "Stra\xC3\x9F" "e \xC3\x84\xC3\x96\xC3\x9C caf\xC3\xA9 " + std::to_string(i)},
          {"to_delete", "x"},
          {"team", i < 3 ? "Payments" : "search"}}});
  }
  replace.rules = {
      R({.source_labels = {"__meta_kv"}, .regex = "([a-z]+)=(.*)", .target_label = "${1}",
         .replacement = "${2}"}),
      R({.source_labels = {"__address__"}, .regex = "(?P<host>[^:]+):(?P<port>\\d+)",
         .target_label = "host_port", .replacement = "$host-${port}x"}),
      R({.source_labels = {"__address__"}, .regex = "(.*):(\\d+)", .target_label = "odd",
         .replacement = "a$1x-b${2}c$$1"}),
      R({.source_labels = {"a", "b"}, .target_label = "ab"}),
      R({.source_labels = {"a", "b", "missing"}, .separator = "--", .target_label = "ab2"}),
      R({.target_label = "env", .replacement = "prod"}),
      R({.source_labels = {"missing"}, .target_label = "to_delete"}),
      R({.source_labels = {"a"}, .regex = "no(.*)match", .target_label = "a",
         .replacement = "never"}),
      R({.source_labels = {"__meta_tags"}, .regex = "(?:.+,|^)path:(/[^,]+).*",
         .target_label = "__metrics_path__", .replacement = "${1}"}),
      R({.source_labels = {"__meta_tags"}, .regex = "(?:.+,|^)path:(/[^,]+).*",
         .target_label = "metrics_path", .replacement = "${1}"}),
      R({.source_labels = {"a"}, .regex = "(?i)a(\\d)", .target_label = "digit_$1",
         .replacement = "[$0]"}),
      R({.source_labels = {"mixed"}, .target_label = "lower", .action = Action::kLowercase}),
      R({.source_labels = {"mixed", "team"}, .target_label = "upper",
         .action = Action::kUppercase}),
      R({.source_labels = {"team"}, .target_label = "team", .action = Action::kLowercase}),
  };
  jobs.push_back(std::move(replace));

  // hashmod with several moduli, then a keep that shards the targets.
  Job hash{.name = "hashmod"};
  for (int i = 0; i < 16; ++i) {
    hash.targets.push_back({"127.0.0.1:" + std::to_string(42000 + i * 7),
                            {{"node", "node-" + std::to_string(i)}, {"zone", i % 2 ? "a" : "b"}}});
  }
  hash.rules = {
      R({.source_labels = {"__address__"}, .modulus = 2, .target_label = "m2",
         .action = Action::kHashMod}),
      R({.source_labels = {"__address__"}, .modulus = 3, .target_label = "__tmp_m3",
         .action = Action::kHashMod}),
      R({.source_labels = {"node", "zone"}, .modulus = 1000, .target_label = "m1000",
         .action = Action::kHashMod}),
      R({.source_labels = {"node"}, .separator = "", .modulus = 1ull << 40,
         .target_label = "m2_40", .action = Action::kHashMod}),
      R({.source_labels = {"missing"}, .modulus = 97, .target_label = "m97_empty",
         .action = Action::kHashMod}),
      R({.source_labels = {"__tmp_m3"}, .regex = "0|1", .action = Action::kKeep}),
  };
  jobs.push_back(std::move(hash));

  // labelmap (groups, defaults, collisions), labeldrop, labelkeep.
  Job lm{.name = "labelmap"};
  for (int i = 0; i < 5; ++i) {
    lm.targets.push_back({"127.0.0.1:" + std::to_string(43000 + i),
                          {{"__meta_k8s_label_app", "app" + std::to_string(i)},
                           {"__meta_k8s_label_tier", i % 2 ? "fe" : "be"},
                           {"__meta_k8s_label_drop_me", "1"},
                           {"__meta_a_x", "from-a"},
                           {"__meta_b_x", "from-b" + std::to_string(i)},
                           {"__meta_app_version", "v" + std::to_string(i)},
                           {"plain", "p"},
                           {"noise1", "n"},
                           {"noise2", "n"}}});
  }
  lm.rules = {
      R({.regex = "__meta_k8s_label_(.+)", .replacement = "k8s_$1",
         .action = Action::kLabelMap}),
      R({.regex = "__meta_app_(.+)", .action = Action::kLabelMap}),
      R({.regex = "__meta_(?:a|b)_(x)", .replacement = "${1}", .action = Action::kLabelMap}),
      R({.regex = "__meta_(k8s)_label_(t.*)", .replacement = "${1}_${2}_copy",
         .action = Action::kLabelMap}),
      R({.regex = "k8s_drop.*", .action = Action::kLabelDrop}),
      R({.regex = "__.*|job|instance|k8s_.*|version|x|plain", .action = Action::kLabelKeep}),
  };
  jobs.push_back(std::move(lm));

  // keepequal / dropequal.
  Job eq{.name = "equal"};
  for (int i = 0; i < 6; ++i) {
    eq.targets.push_back({"127.0.0.1:" + std::to_string(44000 + i),
                          {{"want_port", std::to_string(44000 + (i % 3 == 0 ? i : i + 1))},
                           {"side", i % 2 ? "l" : "r"},
                           {"other", i % 2 ? "l" : "x"}}});
  }
  eq.rules = {
      R({.source_labels = {"__address__"}, .regex = ".*:(\\d+)", .target_label = "__tmp_port"}),
      R({.source_labels = {"__tmp_port"}, .target_label = "want_port",
         .action = Action::kKeepEqual}),
      R({.source_labels = {"side"}, .target_label = "other", .action = Action::kDropEqual}),
  };
  jobs.push_back(std::move(eq));

  // keep and drop with alternations, flags, separators and absent sources.
  Job kd{.name = "keepdrop"};
  const char* envs[] = {"prod", "Prod", "staging", "dev", "canary-prod"};
  for (int i = 0; i < 10; ++i) {
    LabelMap l = {{"env", envs[i % 5]}, {"region", i < 5 ? "eu" : "us"}};
    if (i % 4 == 0) l["maintenance"] = "true";
    kd.targets.push_back({"127.0.0.1:" + std::to_string(45000 + i), l});
  }
  kd.rules = {
      R({.source_labels = {"env"}, .regex = "(?i)prod|staging|canary-.*", .action = Action::kKeep}),
      R({.source_labels = {"maintenance"}, .regex = "true", .action = Action::kDrop}),
      R({.source_labels = {"env", "region"}, .separator = "/", .regex = "staging/us",
         .action = Action::kDrop}),
      R({.source_labels = {"absent"}, .regex = "", .action = Action::kKeep}),
  };
  jobs.push_back(std::move(kd));

  // Corners where Go's regexp semantics show: a regex that escapes the
  // anchoring group, "$1x"-style names with Unicode letters, Unicode case
  // mapping of special letters.
  Job ex{.name = "exotic"};
  for (int i = 0; i < 3; ++i) {
    ex.targets.push_back({"127.0.0.1:" + std::to_string(47000 + i),
                          {{"noise1", "n1"},
                           {"noise2", "n2"},
                           {"v", i == 0 ? "A" + std::to_string(i) : "x" + std::to_string(i)},
                           {"special", "\xC4\xB0 \xC7\x85 \xE2\x84\xA6 \xE2\x84\xAA \xC3\x9F " +
                                           std::to_string(i)}}});
  }
  ex.rules = {
      R({.regex = "noi)|(se2", .replacement = "Q", .action = Action::kLabelMap}),
      R({.source_labels = {"v"}, .regex = "A)|(\\d", .target_label = "inj",
         .replacement = "[$0|$1]"}),
      R({.source_labels = {"v"}, .regex = "(.)(.)", .target_label = "uni",
         .replacement = "$1\xC3\xA9$2"}),
      R({.source_labels = {"v"}, .regex = "(.)(.)", .target_label = "uni2",
         .replacement = "${1}\xC3\xA9$2\xC2\xB7"}),
      R({.source_labels = {"special"}, .target_label = "special_lower",
         .action = Action::kLowercase}),
      R({.source_labels = {"special"}, .target_label = "special_upper",
         .action = Action::kUppercase}),
  };
  jobs.push_back(std::move(ex));

  // Everything dropped by a rule that matches all, to check droppedTargets.
  Job all{.name = "drop_all"};
  all.targets.push_back({"127.0.0.1:46000", {{"k", "v"}}});
  all.targets.push_back({"127.0.0.1:46001", {}});
  all.rules = {R({.action = Action::kDrop})};
  jobs.push_back(std::move(all));
  return jobs;
}

// YAML double-quoted scalar.
std::string Q(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Emits only the fields that differ from the defaults, as a user would:
// Prometheus rejects an explicit default regex for keepequal/dropequal and
// an explicit (even empty) source_labels list for labeldrop/labelkeep.
std::string RuleYaml(const RelabelConfig& c) {
  const RelabelConfig d;
  std::string y = "      - action: " + std::string(ActionName(c.action)) + "\n";
  if (!c.source_labels.empty()) {
    y += "        source_labels: [";
    for (size_t i = 0; i < c.source_labels.size(); ++i) {
      y += (i ? ", " : "") + c.source_labels[i];
    }
    y += "]\n";
  }
  if (c.separator != d.separator) y += "        separator: " + Q(c.separator) + "\n";
  if (c.regex != d.regex) y += "        regex: " + Q(c.regex) + "\n";
  if (c.modulus != d.modulus) y += "        modulus: " + std::to_string(c.modulus) + "\n";
  if (!c.target_label.empty()) y += "        target_label: " + Q(c.target_label) + "\n";
  if (c.replacement != d.replacement) y += "        replacement: " + Q(c.replacement) + "\n";
  return y;
}

std::string ConfigYaml(const std::vector<Job>& jobs) {
  std::string y = "global:\n  scrape_interval: 1h\n  scrape_timeout: 10s\nscrape_configs:\n";
  for (const Job& j : jobs) {
    y += "  - job_name: " + Q(j.name) + "\n    static_configs:\n";
    for (const Target& t : j.targets) {
      y += "      - targets: [" + Q(t.address) + "]\n";
      if (!t.labels.empty()) {
        y += "        labels:\n";
        for (const auto& [k, v] : t.labels) y += "          " + k + ": " + Q(v) + "\n";
      }
    }
    y += "    relabel_configs:\n";
    for (const RelabelConfig& c : j.rules) y += RuleYaml(c);
  }
  return y;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// A prometheus child process, terminated when this object is destroyed.
class PrometheusProcess {
 public:
  PrometheusProcess() = default;
  PrometheusProcess(const PrometheusProcess&) = delete;
  PrometheusProcess& operator=(const PrometheusProcess&) = delete;
  ~PrometheusProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }

  // Returns "" on success, else why it could not start.
  std::string Start(const std::vector<std::string>& args, const std::string& log_path) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, args[0].c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      pid_ = -1;
      return std::string("posix_spawn: ") + strerror(rc);
    }
    return "";
  }

  bool Exited() {
    int status = 0;
    return pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_ && (pid_ = -1, true);
  }

 private:
  pid_t pid_ = -1;
};

LabelMap ToMap(const nlohmann::json& obj) {
  LabelMap m;
  for (auto it = obj.begin(); it != obj.end(); ++it) m[it.key()] = it.value().get<std::string>();
  return m;
}

// What Prometheus 2.42 shows as a target's "labels" after relabeling
// (scrape.PopulateLabels then Target.Labels): "instance" defaults to the
// address, and every "__"-prefixed label is hidden.
LabelMap PublicLabels(const Labels& relabeled) {
  LabelMap out;
  for (const Label& l : relabeled) {
    if (l.name.rfind("__", 0) != 0) out[l.name] = l.value;
  }
  if (relabeled.Get("instance").empty()) out["instance"] = std::string(relabeled.Get("__address__"));
  return out;
}

std::string Show(const LabelMap& m) {
  std::string s = "{";
  for (const auto& [k, v] : m) s += k + "=\"" + v + "\", ";
  return s + "}";
}

TEST(RelabelPrometheusTest, SameTargetsAsPrometheus) {
  ASSERT_TRUE(std::filesystem::exists(kPrometheus))
      << kPrometheus << " is missing: install Debian's prometheus package";

  const std::vector<Job> jobs = Jobs();
  std::map<std::string, std::unique_ptr<Relabeler>> relabelers;
  size_t total_targets = 0;
  for (const Job& j : jobs) {
    auto r = Relabeler::Compile(j.rules);
    ASSERT_TRUE(r.ok()) << j.name << ": " << r.status().ToString();
    relabelers[j.name] = std::move(r).value();
    total_targets += j.targets.size();
  }

  testing::TempDir dir;
  const std::string config = dir.Sub("prometheus.yml");
  testing::WriteFileOrDie(config, ConfigYaml(jobs));
  const int port = FreePort();
  ASSERT_GT(port, 0);
  PrometheusProcess prom;
  const std::string log = dir.Sub("prometheus.log");
  ASSERT_EQ(prom.Start({kPrometheus, "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.Sub("data"),
                        "--web.listen-address=127.0.0.1:" + std::to_string(port),
                        "--log.level=warn"},
                       log),
            "");

  httplib::Client http("127.0.0.1", port);
  http.set_connection_timeout(std::chrono::seconds(2));
  http.set_read_timeout(std::chrono::seconds(10));

  // Prometheus needs a moment to start and its discovery manager batches
  // updates (every 5 s), so poll with a bounded deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  nlohmann::json data;
  bool complete = false;
  while (std::chrono::steady_clock::now() < deadline) {
    ASSERT_FALSE(prom.Exited()) << "prometheus exited:\n" << testing::ReadFileOrEmpty(log);
    auto res = http.Get("/api/v1/targets?state=any");
    if (res && res->status == 200) {
      nlohmann::json body = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
      if (!body.is_discarded() && body.contains("data")) {
        data = body["data"];
        if (data["activeTargets"].size() + data["droppedTargets"].size() == total_targets) {
          complete = true;
          break;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(complete) << "prometheus did not report all " << total_targets
                        << " targets in time; last data: " << data.dump() << "\n"
                        << testing::ReadFileOrEmpty(log);

  // Prometheus 2.42's API shows discoveredLabels *after* relabeling has
  // modified them in place (a Prometheus bug), so the inputs are rebuilt
  // here from the configuration, as scrape.PopulateLabels does before
  // relabeling, and targets are matched by address (unique, never rewritten
  // by the rules).
  struct Input {
    const Job* job;
    Labels labels;
  };
  std::map<std::string, Input> inputs;
  for (const Job& j : jobs) {
    for (const Target& t : j.targets) {
      LabelMap m = t.labels;
      m["job"] = j.name;
      m["__address__"] = t.address;
      m["__scheme__"] = "http";
      m["__metrics_path__"] = "/metrics";
      m["__scrape_interval__"] = "1h";
      m["__scrape_timeout__"] = "10s";
      std::vector<Label> v;
      for (const auto& [k, val] : m) v.push_back({k, val});
      ASSERT_TRUE(inputs.emplace(t.address, Input{&j, Labels::FromSorted(std::move(v))}).second);
    }
  }

  size_t active = 0, dropped = 0;
  std::map<std::string, LabelMap> prometheus_labels;  // by address, active only
  std::set<std::string> seen, jobs_with_active, jobs_with_dropped;
  for (const nlohmann::json& t : data["activeTargets"]) {
    const LabelMap want = ToMap(t["labels"]);
    ASSERT_TRUE(want.count("instance")) << t.dump();
    const std::string addr = want.at("instance");
    ASSERT_TRUE(inputs.count(addr)) << t.dump();
    ASSERT_TRUE(seen.insert(addr).second) << addr;
    const Input& in = inputs.at(addr);
    labels::LabelsBuilder lb(in.labels);
    const bool keep = relabelers[in.job->name]->Process(&lb);
    EXPECT_TRUE(keep) << "ferry drops a target Prometheus keeps: " << in.labels.ToString();
    if (keep) {
      EXPECT_EQ(Show(PublicLabels(lb.Build())), Show(want)) << "input " << in.labels.ToString();
    }
    jobs_with_active.insert(in.job->name);
    prometheus_labels[addr] = want;
    ++active;
  }
  for (const nlohmann::json& t : data["droppedTargets"]) {
    const LabelMap discovered = ToMap(t["discoveredLabels"]);
    ASSERT_TRUE(discovered.count("__address__")) << t.dump();
    const std::string addr = discovered.at("__address__");
    ASSERT_TRUE(inputs.count(addr)) << t.dump();
    ASSERT_TRUE(seen.insert(addr).second) << addr;
    const Input& in = inputs.at(addr);
    labels::LabelsBuilder lb(in.labels);
    EXPECT_FALSE(relabelers[in.job->name]->Process(&lb))
        << "ferry keeps a target Prometheus drops: " << in.labels.ToString() << " -> "
        << Show(PublicLabels(lb.Build()));
    jobs_with_dropped.insert(in.job->name);
    ++dropped;
  }
  EXPECT_EQ(seen.size(), inputs.size());
  // The rule set is built so that both outcomes occur; a vacuous run fails.
  EXPECT_EQ(jobs_with_active,
            (std::set<std::string>{"replace", "hashmod", "labelmap", "equal", "keepdrop",
                                   "exotic"}));
  EXPECT_EQ(jobs_with_dropped, (std::set<std::string>{"hashmod", "equal", "keepdrop", "drop_all"}));
  // Pin the Go semantics Prometheus showed for the exotic rules, so a change
  // on both sides (or a vacuous comparison) cannot go unnoticed.
  const LabelMap& ex0 = prometheus_labels["127.0.0.1:47000"];
  EXPECT_EQ(ex0.count("Qse1"), 1u);  // "^(?:noi)|(se2)$" replaced "noi" only
  EXPECT_EQ(ex0.count("QQ"), 1u);    // ... and both "noi" and "se2" in noise2
  EXPECT_EQ(ex0.count("inj") ? ex0.at("inj") : "", "[A|]");
  EXPECT_EQ(ex0.count("uni") ? ex0.at("uni") : "", "0");  // "$1\u00e9" names group "1\u00e9"
  EXPECT_EQ(ex0.count("uni2") ? ex0.at("uni2") : "", "A\xC3\xA9" "0\xC2\xB7");
  EXPECT_EQ(prometheus_labels["127.0.0.1:47001"]["inj"], "[1|1]");
  RecordProperty("active", static_cast<int>(active));
  RecordProperty("dropped", static_cast<int>(dropped));
}

}  // namespace
}  // namespace ferry::relabel
