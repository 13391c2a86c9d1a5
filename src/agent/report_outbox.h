// ReportOutbox: the durable journal of outcome events the device owes the server
// (docs/device-protocol.md, check-in `outcomes`), DATA/outbox.journal.
//
// Append() gives the event the device's next sequence number, appends it as one JSON line and
// fsyncs before returning, so an event survives any cut after Append returns. Pending() lists
// what is not acknowledged yet, oldest first; a check-in sends them and, once the server
// answered 200, Acknowledge(s) removes every entry up to sequence s (the journal is rewritten
// durably, keeping the next sequence in its first line). An entry is resent with the same
// sequence until acknowledged, so the server's (device, sequence) dedup counts it once. A line
// torn by a cut in the middle of Append (never fsynced, so never acknowledged to the caller)
// is dropped when the journal is opened.
// Errors: kIoError naming the journal.
// Thread-safety: one user per data folder.
#ifndef TINYMLOPS_AGENT_REPORT_OUTBOX_H_
#define TINYMLOPS_AGENT_REPORT_OUTBOX_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/status.h"

namespace tinymlops::agent {

struct OutcomeEvent {
  uint64_t sequence = 0;  // set by Append
  std::string deployment, version;
  std::string event;  // downloaded | installed | install_failed | self_test_failed |
                      // rolled_back | refused
  std::string detail;
  int64_t unix = 0;
};

class ReportOutbox {
 public:
  static Result<std::unique_ptr<ReportOutbox>> Open(const std::string& data_folder);

  Result<uint64_t> Append(OutcomeEvent event);
  const std::vector<OutcomeEvent>& Pending() const { return pending_; }
  Status Acknowledge(uint64_t up_to_sequence);
  uint64_t next_sequence() const { return next_sequence_; }

 private:
  explicit ReportOutbox(std::string path) : path_(std::move(path)) {}
  Status Rewrite();
  std::string path_;
  uint64_t next_sequence_ = 1;
  std::vector<OutcomeEvent> pending_;
};

std::string OutcomeEventJson(const OutcomeEvent& event);

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_REPORT_OUTBOX_H_
