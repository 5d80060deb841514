#include "routes/ContactRoutes.h"

#include "http/ApiError.h"
#include "http/RequestFields.h"
#include "routes/Audit.h"
#include "routes/UploadForm.h"

#include <switchboard/core/DomainError.h>

#include <switchboard/sdk/json.hpp>

#include <Poco/Net/MediaType.h>

#include <functional>
#include <set>

namespace sb::host {
namespace {

int64_t contactId(const ApiRequest& request) {
  return pathId(request, "contact");
}

/// The caller's column mapping: JSON, from the form's "mapping" field or
/// the `mapping` query parameter; none when empty.
core::ColumnChoice columnChoice(const std::string& text) {
  if (text.empty()) return {};
  nlohmann::json mapping;
  try {
    mapping = sdk::json::parseBounded(text, 4);  // field -> [columns]: two levels, a little room
  } catch (const std::exception&) {              // syntax, depth, invalid UTF-8
    throw ApiError::validation("mapping is not valid JSON; send an object such as {\"phone\": \"Mobile Phone\"}",
                               {{"field", "mapping"}});
  }
  return core::ColumnChoice::fromJson(mapping);
}

core::ImportOptions importOptions(const UploadFields& fields) {
  if (fields.sheet.size() > 100) {
    throw ApiError::validation("sheet must be at most 100 characters", {{"field", "sheet"}});
  }
  return {columnChoice(fields.mapping), fields.sheet};
}

/// Reads an upload: multipart/form-data with a "file" part (and optional
/// "name", "mapping" and "sheet" parts before it), or a raw body (CSV text,
/// or a workbook as application/octet-stream or the .xlsx media type) with
/// `name`, `filename`, `mapping` and `sheet` in the query. The file is handed to
/// `import` as a stream, never held in memory whole.
using ImportFile =
    std::function<core::ContactList(std::istream& file, const std::string& filename, const UploadFields& fields)>;

core::ContactList readUpload(const ApiRequest& request, const ImportFile& import) {
  const std::string contentType = request.header("Content-Type").value_or("");
  UploadFields fields;
  fields.name = request.queryParam("name").value_or("");
  fields.mapping = request.queryParam("mapping").value_or("");
  fields.sheet = request.queryParam("sheet").value_or("");
  // No type at all is not taken as bytes: the sender should say what it sends.
  Poco::Net::MediaType type("application/x-unknown");
  try {
    type = Poco::Net::MediaType(contentType.empty() ? "application/x-unknown" : contentType);
  } catch (const std::exception&) {
    throw ApiError::validation("Content-Type '" + contentType + "' cannot be read");
  }
  core::ContactList imported;
  if (type.matches("multipart", "form-data")) {
    const std::string boundary = type.hasParameter("boundary") ? type.getParameter("boundary") : std::string();
    if (boundary.empty()) {
      throw ApiError::validation("multipart/form-data without a boundary");
    }
    const bool found = readUploadForm(
        *request.bodyStream, boundary, fields,
        [&](std::istream& file, const std::string& filename) { imported = import(file, filename, fields); });
    if (!found) {
      throw ApiError::validation("the form has no \"file\" field with the contacts", {{"field", "file"}});
    }
  } else if (type.matches("text", "csv") || type.matches("application", "csv") || type.matches("text", "plain") ||
             type.matches("application", "octet-stream") ||
             type.matches("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")) {
    if (fields.mapping.size() > static_cast<size_t>(kMaxMappingFieldBytes)) {
      throw ApiError::validation("mapping is longer than " + std::to_string(kMaxMappingFieldBytes) + " bytes",
                                 {{"field", "mapping"}});
    }
    imported = import(*request.bodyStream, request.queryParam("filename").value_or(""), fields);
  } else {
    throw ApiError(415, "UNSUPPORTED_MEDIA_TYPE",
                   "send the file as multipart/form-data (field \"file\"), or as a text/csv or (for a workbook) "
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet body",
                   {{"content_type", contentType}});
  }
  return imported;
}

std::string createdBy(const ApiRequest& request) {
  return request.principal ? request.principal->keyName : "";
}

/// A new list from the upload.
ApiResponse importUpload(HostContext& context, const ApiRequest& request) {
  const auto imported = readUpload(request, [&](std::istream& file, const std::string& filename,
                                                const UploadFields& fields) {
    return context.contacts().importList(file, fields.name, filename, createdBy(request), {}, importOptions(fields));
  });
  return ApiResponse::json(201, {{"list", imported.toJson(false)}, {"report", imported.report}});
}

/// The upload's rows added to an existing list: `list` has the list's
/// totals now, `report` what this file did.
ApiResponse appendUpload(HostContext& context, const ApiRequest& request) {
  const int64_t listId = pathId(request, "contact list");
  context.contacts().list(listId);  // 404 before the body is read
  const auto imported =
      readUpload(request, [&](std::istream& file, const std::string& filename, const UploadFields& fields) {
        return context.contacts().appendToList(listId, file, filename, createdBy(request), {}, importOptions(fields));
      });
  return ApiResponse::json(200, {{"list", context.contacts().list(listId).toJson(false)}, {"report", imported.report}});
}

}  // namespace

void addContactRoutes(Router& router, HostContext& context) {
  const size_t uploadLimit = static_cast<size_t>(context.settings().getInt("import.max_bytes", 209715200)) +
                             size_t{64} * 1024;  // room for the multipart envelope

  Route upload{"POST",
               "/api/v1/contact-lists",
               "contact_lists.create",
               Access::Agent,
               0,
               uploadLimit,
               [&context](const ApiRequest& request) { return importUpload(context, request); }};
  upload.streamBody = true;
  upload.bodyTypes = {"multipart/form-data",      "text/csv",
                      "application/csv",          "text/plain",
                      "application/octet-stream", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
  router.add(upload);

  Route append = upload;
  append.pattern = "/api/v1/contact-lists/{id}/contacts";
  append.name = "contact_lists.append";
  append.handler = [&context](const ApiRequest& request) { return appendUpload(context, request); };
  router.add(append);

  router.add({"GET", "/api/v1/contact-lists", "contact_lists.list", Access::Agent, 0, 0, [&context](const ApiRequest&) {
                nlohmann::json data = nlohmann::json::array();
                for (const auto& list : context.contacts().lists()) data.push_back(list.toJson(false));
                return ApiResponse::json(200, {{"data", data}});
              }});

  router.add({"GET", "/api/v1/contact-lists/{id}", "contact_lists.get", Access::Agent, 0, 0,
              [&context](const ApiRequest& request) {
                return ApiResponse::json(200, context.contacts().list(pathId(request, "contact list")).toJson(true));
              }});

  router.add({"DELETE", "/api/v1/contact-lists/{id}", "contact_lists.delete", Access::Agent, 0, 0,
              [&context](const ApiRequest& request) {
                context.contacts().deleteList(pathId(request, "contact list"));
                ApiResponse response;
                response.status = 204;
                return response;
              }});

  router.add({"GET", "/api/v1/contacts", "contacts.list", Access::Agent, 0, 0, [&context](const ApiRequest& request) {
                core::ContactQuery query;
                if (request.queryParam("list_id")) query.listId = intParam(request, "list_id", 0);
                query.status = request.queryParam("status").value_or("");
                query.search = request.queryParam("q").value_or("");
                query.page = intParam(request, "page", 1);
                query.perPage = intParam(request, "per_page", core::ContactService::kDefaultPerPage);
                const auto page = context.contacts().contacts(query);
                nlohmann::json data = nlohmann::json::array();
                for (const auto& contact : page.items) data.push_back(contact.toJson());
                return ApiResponse::json(
                    200, {{"data", data}, {"page", query.page}, {"per_page", query.perPage}, {"total", page.total}});
              }});

  router.add(
      {"GET", "/api/v1/contacts/{id}", "contacts.get", Access::Agent, 0, 0, [&context](const ApiRequest& request) {
         return ApiResponse::json(200, context.contacts().contact(contactId(request)).toJson());
       }});

  router.add(
      {"PATCH", "/api/v1/contacts/{id}", "contacts.update", Access::Agent, 0, 0, [&context](const ApiRequest& request) {
         const auto body = request.jsonBody();
         static const std::set<std::string> kFields = {"name",     "company", "title",      "email",
                                                       "timezone", "status",  "last_notes", "attributes"};
         for (auto it = body.begin(); it != body.end(); ++it) {
           if (kFields.count(it.key()) == 0) {
             throw ApiError::validation("unknown field '" + it.key() + "'", {{"field", it.key()}});
           }
         }
         core::ContactPatch patch;
         patch.name = optionalString(body, "name");
         patch.company = optionalString(body, "company");
         patch.title = optionalString(body, "title");
         patch.email = optionalString(body, "email");
         patch.timezone = optionalString(body, "timezone");
         patch.status = optionalString(body, "status");
         patch.lastNotes = optionalString(body, "last_notes");
         if (body.contains("attributes")) patch.attributes = body["attributes"];
         return ApiResponse::json(200, context.contacts().updateContact(contactId(request), patch).toJson());
       }});

  router.add({"DELETE", "/api/v1/contacts/{id}", "contacts.delete", Access::Agent, 0, 0,
              [&context](const ApiRequest& request) {
                context.contacts().deleteContact(contactId(request));
                ApiResponse response;
                response.status = 204;
                return response;
              }});

  router.add({"GET", "/api/v1/dnc", "dnc.list", Access::Agent, 0, 0, [&context](const ApiRequest& request) {
                const int64_t page = intParam(request, "page", 1);
                const int64_t perPage = intParam(request, "per_page", core::ContactService::kDefaultPerPage);
                const auto result = context.contacts().doNotCallList(page, perPage);
                nlohmann::json data = nlohmann::json::array();
                for (const auto& entry : result.items) data.push_back(entry.toJson());
                return ApiResponse::json(
                    200, {{"data", data}, {"page", page}, {"per_page", perPage}, {"total", result.total}});
              }});

  router.add({"POST", "/api/v1/dnc", "dnc.add", Access::Agent, 0, 0, [&context](const ApiRequest& request) {
                const auto body = request.jsonBody();
                const auto phone = optionalString(body, "phone");
                if (!phone || phone->empty()) {
                  throw ApiError::validation("phone is required", {{"field", "phone"}});
                }
                const std::string reason = optionalString(body, "reason").value_or("");
                const auto entry = context.contacts().addDoNotCall(*phone, reason,
                                                                   request.principal ? request.principal->keyName : "");
                context.audit().record(auditEntry(request, "dnc.added", entry.phoneE164, {{"reason", reason}}));
                return ApiResponse::json(201, entry.toJson());
              }});

  router.add(
      {"DELETE", "/api/v1/dnc/{phone}", "dnc.remove", Access::Admin, 0, 0, [&context](const ApiRequest& request) {
         context.contacts().removeDoNotCall(request.params.at("phone"));
         context.audit().record(auditEntry(request, "dnc.removed", request.params.at("phone")));
         ApiResponse response;
         response.status = 204;
         return response;
       }});
}

}  // namespace sb::host
