#include "agent/report_outbox.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "agent/durable_file.h"
#include "agent/json_fields.h"

namespace tinymlops::agent {
namespace {

nlohmann::json EventObject(const OutcomeEvent& e) {
  return {{"sequence", e.sequence}, {"deployment", e.deployment}, {"version", e.version},
          {"event", e.event},       {"detail", e.detail},         {"unix", e.unix}};
}

bool ParseEvent(const std::string& line, OutcomeEvent* out) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  try {
    if (!j.is_object()) return false;
    out->sequence = UnsignedField(j, "sequence");
    out->deployment = j.at("deployment").get<std::string>();
    out->version = j.at("version").get<std::string>();
    out->event = j.at("event").get<std::string>();
    out->detail = j.at("detail").get<std::string>();
    out->unix = IntegerField(j, "unix");
    return out->sequence > 0;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::string OutcomeEventJson(const OutcomeEvent& event) { return EventObject(event).dump(); }

Result<std::unique_ptr<ReportOutbox>> ReportOutbox::Open(const std::string& data_folder) {
  std::unique_ptr<ReportOutbox> outbox(new ReportOutbox(data_folder + "/outbox.journal"));
  auto contents = ReadFile(outbox->path_);
  if (!contents.ok() && contents.status().code() != StatusCode::kNotFound) return contents.status();
  if (!contents.ok()) {
    TMM_RETURN_IF_ERROR(outbox->Rewrite());
    return outbox;
  }
  bool clean = true;
  size_t start = 0;
  bool first = true;
  while (start < contents->size()) {
    size_t end = contents->find('\n', start);
    const bool complete = end != std::string::npos;
    if (!complete) end = contents->size();
    const std::string line = contents->substr(start, end - start);
    start = end + 1;
    if (first) {
      first = false;
      const nlohmann::json header = nlohmann::json::parse(line, nullptr, false);
      if (complete && header.is_object() && header.contains("next_sequence") &&
          header["next_sequence"].is_number_unsigned()) {
        outbox->next_sequence_ = std::max<uint64_t>(1, header["next_sequence"].get<uint64_t>());
        continue;
      }
      clean = false;  // a lost header: the entries still carry their sequences
    }
    OutcomeEvent event;
    if (complete && ParseEvent(line, &event) &&
        (outbox->pending_.empty() || event.sequence > outbox->pending_.back().sequence)) {
      outbox->pending_.push_back(event);
      outbox->next_sequence_ = std::max(outbox->next_sequence_, event.sequence + 1);
    } else {
      clean = false;
    }
  }
  if (!clean) TMM_RETURN_IF_ERROR(outbox->Rewrite());
  return outbox;
}

Status ReportOutbox::Rewrite() {
  std::string contents = nlohmann::json{{"next_sequence", next_sequence_}}.dump() + "\n";
  for (const OutcomeEvent& e : pending_) contents += OutcomeEventJson(e) + "\n";
  return WriteFileDurably(path_, contents);
}

Result<uint64_t> ReportOutbox::Append(OutcomeEvent event) {
  event.sequence = next_sequence_;
  const std::string line = OutcomeEventJson(event) + "\n";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0)
    return Status::Error(StatusCode::kIoError, "cannot open the outbox '%s': %s", path_.c_str(),
                         std::strerror(errno));
  size_t done = 0;
  bool failed = false;
  while (done < line.size() && !failed) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    failed = n <= 0;
    if (!failed) done += static_cast<size_t>(n);
  }
  failed = failed || ::fsync(fd) != 0;
  const int saved = errno;
  ::close(fd);
  if (failed) {
    // Whatever reached the file is a torn line that Open drops; rewrite it away now.
    (void)Rewrite();
    return Status::Error(StatusCode::kIoError, "cannot append to the outbox '%s': %s",
                         path_.c_str(), std::strerror(saved));
  }
  ++next_sequence_;
  pending_.push_back(std::move(event));
  return pending_.back().sequence;
}

Status ReportOutbox::Acknowledge(uint64_t up_to_sequence) {
  size_t keep = 0;
  while (keep < pending_.size() && pending_[keep].sequence <= up_to_sequence) ++keep;
  if (keep == 0) return Status::Ok();
  std::vector<OutcomeEvent> remaining(pending_.begin() + static_cast<long>(keep), pending_.end());
  std::vector<OutcomeEvent> before = std::move(pending_);
  pending_ = std::move(remaining);
  Status rewritten = Rewrite();
  if (!rewritten.ok()) pending_ = std::move(before);
  return rewritten;
}

}  // namespace tinymlops::agent
