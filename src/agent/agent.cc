#include "agent/agent.h"

#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>

#include "agent/device_enrollment.h"
#include "agent/durable_file.h"
#include "agent/package_download.h"

namespace tinymlops::agent {
namespace {

constexpr size_t kOutcomesPerCheckin = 100;

std::string ProfileJson(const DeviceProfile& p) {
  return nlohmann::json{{"architecture", p.architecture},
                        {"device_class", p.device_class},
                        {"ram_bytes", p.ram_bytes},
                        {"storage_bytes", p.storage_bytes},
                        {"ops", p.ops},
                        {"runtime_version", p.runtime_version}}
      .dump();
}

}  // namespace

DeviceProfile ProfileOfThisMachine(const std::string& data_folder, const std::string& device_class,
                                   const runtime::OpResolver& resolver) {
  DeviceProfile profile;
  profile.device_class = device_class;
  profile.runtime_version = device::kRuntimeVersion;
  struct utsname names;
  if (::uname(&names) == 0) profile.architecture = names.machine;
  struct sysinfo memory;
  if (::sysinfo(&memory) == 0)
    profile.ram_bytes = static_cast<uint64_t>(memory.totalram) * memory.mem_unit;
  struct statvfs disk;
  if (::statvfs(data_folder.c_str(), &disk) == 0)
    profile.storage_bytes = static_cast<uint64_t>(disk.f_bavail) * disk.f_frsize;
  for (int op = 0; op < runtime::OpResolver::kOpTypeCount; ++op)
    if (resolver.Find(static_cast<tmm::OpType>(op)) != nullptr)
      profile.ops.push_back(tmm::EnumNameOpType(static_cast<tmm::OpType>(op)));
  return profile;
}

Agent::Agent(AgentOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<Agent>> Agent::Start(AgentOptions options) {
  if (options.client == nullptr)
    return Status::Error(StatusCode::kInternal, "an agent needs a device client");
  if (!options.now) options.now = [] { return static_cast<int64_t>(std::time(nullptr)); };
  if (!options.context)
    options.context = [] {
      DeviceContext context;
      context.charging = true;
      context.network = "ethernet";
      return context;
    };
  std::unique_ptr<Agent> agent(new Agent(std::move(options)));
  const AgentOptions& o = agent->options_;
  TMM_RETURN_IF_ERROR(MakeFolder(o.data_folder));
  runtime::AddReferenceKernels(agent->resolver_);
  agent->profile_ = o.profile ? *o.profile
                              : ProfileOfThisMachine(o.data_folder, o.device_class,
                                                     agent->resolver_);

  const std::string identity_folder = o.data_folder + "/identity";
  auto identity = LoadIdentity(identity_folder);
  if (!identity.ok() && identity.status().code() == StatusCode::kNotFound) {
    if (o.enroll_token.empty()) return identity.status();
    identity = EnrollDevice(*o.client, identity_folder, o.enroll_token, o.device_name,
                            ProfileJson(agent->profile_));
  }
  if (!identity.ok()) return identity.status();
  agent->identity_ = std::move(*identity);
  TMM_ASSIGN_OR_RETURN(agent->key_store_, device::FileKeyStore::Open(identity_folder));
  agent->release_counters_ =
      std::make_unique<device::FileReleaseCounterStore>(o.data_folder + "/releases");
  TMM_ASSIGN_OR_RETURN(agent->outbox_, ReportOutbox::Open(o.data_folder));
  agent->schedule_ =
      std::make_unique<CheckinSchedule>(std::hash<std::string>()(agent->identity_.device_id));

  InstallerOptions installer;
  installer.data_folder = o.data_folder;
  installer.loader.trusted_vendors = o.trusted_vendors;
  installer.loader.key_store = agent->key_store_.get();
  installer.loader.release_counters = agent->release_counters_.get();
  installer.loader.resolver = &agent->resolver_;
  installer.loader.start_guard = o.start_guard;
  installer.now = o.now;
  Agent* raw = agent.get();
  installer.fetch = [raw](const SlotVariant& variant, const std::string& destination) {
    return DownloadPackage(
        *raw->options_.client, raw->identity_,
        {variant.package, destination, variant.artifact_hash, variant.artifact_bytes},
        raw->options_.now());
  };
  TMM_ASSIGN_OR_RETURN(agent->installer_,
                       UpdateInstaller::Open(std::move(installer), agent->outbox_.get()));
  agent->inference_ = std::make_unique<AgentInferenceService>(agent->installer_->loader(),
                                                              agent->installer_->serving_mutex());
  const Status recovered = agent->installer_->Recover();
  if (!recovered.ok()) agent->last_error_ = recovered.message();
  if (recovered.ok()) agent->FollowContext();
  if (!o.socket_path.empty()) {
    agent->endpoint_ =
        std::make_unique<LocalEndpoint>(*agent->inference_, LocalEndpointOptions{o.socket_path});
    const Status listening = agent->endpoint_->Start();
    if (!listening.ok())
      return Status::Error(StatusCode::kFailedPrecondition, "the local endpoint: %s",
                           listening.message());
  }
  return agent;
}

DeviceContext Agent::Context() const {
  DeviceContext context = options_.context();
  if (!context.latency_p95_us) {
    const ServingHealth health = inference_->Health();
    if (health.latency_us) context.latency_p95_us = health.latency_us->p95;
  }
  return context;
}

CheckinReport Agent::Report(uint64_t* acknowledge_through) const {
  CheckinReport report;
  report.profile = profile_;
  report.context = Context();
  report.installed.active = installer_->loader().ready() ? installer_->state().active : "";
  for (const char* slot : {"a", "b"}) {
    auto manifest = installer_->slots().ReadManifest(slot);
    if (manifest.ok()) report.installed.slots[slot] = *manifest;
  }
  if (const tpkg::ManifestT* served = installer_->loader().manifest())
    report.installed.serving_variant = served->variant;
  report.health = inference_->Health();
  // An event that names no deployment or version (a trial slot whose manifest was lost) cannot
  // be attributed; the server would refuse the whole check-in for it, so it is acknowledged
  // with the batch but not sent.
  const auto& pending = outbox_->Pending();
  const size_t batch = std::min(pending.size(), kOutcomesPerCheckin);
  for (size_t i = 0; i < batch; ++i)
    if (!pending[i].deployment.empty() && !pending[i].version.empty())
      report.outcomes.push_back(pending[i]);
  *acknowledge_through = batch > 0 ? pending[batch - 1].sequence : 0;
  return report;
}

void Agent::FollowContext() {
  auto active = installer_->ActiveRelease();
  if (!active.ok()) return;
  std::vector<std::string> names;
  for (const SlotVariant& v : active->variants) names.push_back(v.name);
  VariantPolicy policy;
  policy.default_variant = active->default_variant;
  if (!active->policy_json.empty()) {
    auto parsed = ParseVariantPolicy(active->policy_json, names);
    if (!parsed.ok()) {
      last_error_ = std::string("the installed variant policy: ") + parsed.status().message();
      return;
    }
    policy = std::move(*parsed);
  }
  const std::string chosen = SelectVariant(policy, Context(), names);
  if (chosen.empty()) return;
  const Status served = installer_->ServeVariant(chosen);
  if (!served.ok()) last_error_ = served.message();
}

int64_t Agent::CheckIn() {
  FollowContext();
  uint64_t acknowledge_through = 0;
  const CheckinReport report = Report(&acknowledge_through);
  auto answer = options_.client->Call(identity_, "POST", "/v1/device/checkin", CheckinBody(report),
                                      options_.now());
  if (!answer.ok()) {
    last_error_ = answer.status().message();
    return schedule_->AfterFailure();
  }
  if (answer->status != 200) {
    last_error_ = "the server answered the check-in with " + std::to_string(answer->status) + ": " +
                  answer->body.substr(0, 200);
    return schedule_->AfterFailure();
  }
  auto parsed = ParseCheckinAnswer(answer->body);
  if (!parsed.ok()) {
    last_error_ = parsed.status().message();
    return schedule_->AfterFailure();
  }
  last_error_.clear();
  if (acknowledge_through > 0) {
    const Status acknowledged = outbox_->Acknowledge(acknowledge_through);
    if (!acknowledged.ok()) last_error_ = acknowledged.message();
  }
  if (parsed->desired) {
    auto applied = installer_->Apply(*parsed->desired);
    if (!applied.ok()) last_error_ = applied.status().message();
    FollowContext();
  }
  return schedule_->AfterSuccess(parsed->next_checkin_seconds);
}

}  // namespace tinymlops::agent
