#include <switchboard/core/contacts/Contact.h>

namespace sb::core {

bool contact_status::isValid(const std::string& status) {
  return status == kNotCalled || status == kInCall || status == kCalled || status == kDoNotCall;
}

nlohmann::json Contact::toJson() const {
  nlohmann::json j = {{"id", id},
                      {"list_id", listId},
                      {"source_row", sourceRow},
                      {"name", name},
                      {"company", company},
                      {"title", title},
                      {"email", email},
                      {"timezone", timezone},
                      {"phone", phoneE164},
                      {"phone_raw", phoneRaw},
                      {"phone_extension", phoneExtension},
                      {"line_type", lineType},
                      {"phone_verified", phoneVerified},
                      {"status", status},
                      {"last_outcome", lastOutcome ? nlohmann::json(*lastOutcome) : nlohmann::json()},
                      {"last_notes", lastNotes ? nlohmann::json(*lastNotes) : nlohmann::json()},
                      {"last_called_at", lastCalledAt ? nlohmann::json(*lastCalledAt) : nlohmann::json()},
                      {"attributes", attributes},
                      {"created_at", createdAt},
                      {"updated_at", updatedAt}};
  return j;
}

nlohmann::json ContactList::toJson(bool withReport) const {
  nlohmann::json j = {{"id", id},
                      {"name", name},
                      {"source", source},
                      {"filename", filename},
                      {"created_by", createdBy},
                      {"created_at", createdAt},
                      {"rows_total", rowsTotal},
                      {"imported", importedCount},
                      {"skipped", skippedCount},
                      {"duplicates", duplicateCount},
                      {"unverified", unverifiedCount},
                      {"contact_count", contactCount}};
  if (withReport) {
    j["report"] = report;
  }
  return j;
}

nlohmann::json DncEntry::toJson() const {
  return {{"phone", phoneE164},
          {"reason", reason},
          {"source", source},
          {"created_by", createdBy},
          {"created_at", createdAt}};
}

}  // namespace sb::core
