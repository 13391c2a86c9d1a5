#include "server/rollout/delta_offer.h"

#include <nlohmann/json.hpp>

namespace tinymlops::server {

Result<DeltaOffers> OfferDeltas(Transaction& tx, const DesiredState& desired,
                                const std::string& installed_json) {
  DeltaOffers offers;
  if (installed_json.empty()) return offers;
  // The report was checked when parsed (server/api/request_bodies.h); read it defensively all
  // the same: anything unexpected means no offer.
  const nlohmann::json installed = nlohmann::json::parse(installed_json, nullptr, false);
  if (!installed.is_object()) return offers;
  const auto active = installed.find("active");
  const auto slots = installed.find("slots");
  if (active == installed.end() || !active->is_string() || slots == installed.end() ||
      !slots->is_object())
    return offers;
  const auto slot = slots->find(active->get<std::string>());
  if (slot == slots->end() || !slot->is_object()) return offers;
  auto text = [&](const char* name) {
    const auto it = slot->find(name);
    return it != slot->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string model = text("model"), version = text("version");
  if (model != desired.model || version.empty() || version == desired.version) return offers;
  std::vector<std::string> ids;
  for (const VariantRecord& v : desired.variants) ids.push_back(v.id);
  TMM_ASSIGN_OR_RETURN(auto deltas, SmallerDeltasFrom(tx, ids, version));
  for (DeltaRecord& d : deltas) {
    std::string id = d.variant_id;
    offers.emplace(std::move(id), std::move(d));
  }
  return offers;
}

}  // namespace tinymlops::server
