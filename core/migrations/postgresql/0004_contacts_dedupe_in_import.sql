-- Contacts lose the UNIQUE (list_id, phone_e164) constraint: a list's
-- numbers are deduplicated by the import, the only writer of a contact's
-- list and number (see core/migrations/sqlite/0004 for the measurement).
-- "Contacts of a list" and the cascade from contact_lists use the list_id
-- index.
ALTER TABLE contacts DROP CONSTRAINT contacts_list_phone;
CREATE INDEX contacts_by_list ON contacts(list_id);
