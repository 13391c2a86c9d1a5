// AgentState and AgentStateFile: which slot serves, which is on trial, and which release the
// device refuses to try again; DATA/state.json.
//
//   active          the slot the device serves after a restart ("" before the first install)
//   trial           the slot an update is being tried from ("" when none): set before the new
//                   model is loaded for real, cleared by commit or rollback
//   trial_attempts  how many times that trial began a load (recorded before each): a restart
//                   that finds a trial retries it until this reaches the installer's limit
//                   (0 when there is no trial; a state file without it that names a trial was
//                   written before attempts were counted, and reads as 1)
//   last_committed  the slot of the last commit
//   previous        the slot committed before it ("" when none): what a server-ordered
//                   rollback returns to, and the fallback when the active slot no longer verifies
//   rejected        deployment and version that failed here (self-test, load, crash on trial);
//                   the installer does not retry it until the server asks for something else
//
// Save() keeps the state it replaces as state.json.prev, then replaces state.json durably
// (agent/durable_file.h). Load() reads state.json; if it is missing or corrupt it reads
// state.json.prev; if that fails too it derives a state from the slots (the first slot with a
// valid manifest is active, the other previous) and says so in `derived`: recovery then verifies
// what it serves. Errors: kIoError when the folder cannot be written. Thread-safety: one user per
// data folder.
#ifndef TINYMLOPS_AGENT_AGENT_STATE_H_
#define TINYMLOPS_AGENT_AGENT_STATE_H_

#include <cstdint>
#include <string>

#include "agent/slot_store.h"
#include "runtime/status.h"

namespace tinymlops::agent {

struct AgentState {
  std::string active, trial, last_committed, previous;
  uint64_t trial_attempts = 0;
  std::string rejected_deployment, rejected_version;
  bool derived = false;  // not read from a state file (see Load)
  bool operator==(const AgentState& other) const;
};

std::string AgentStateJson(const AgentState& state);
Result<AgentState> ParseAgentState(const std::string& json);

class AgentStateFile {
 public:
  explicit AgentStateFile(std::string data_folder);
  Result<AgentState> Load(const SlotStore& slots) const;
  Status Save(const AgentState& state) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace tinymlops::agent

#endif  // TINYMLOPS_AGENT_AGENT_STATE_H_
