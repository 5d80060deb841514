-- History and export name people (product §2.7): the contact's name and
-- company as they were when the call was placed, kept on the call so that
-- history still names them after the list is edited or deleted.
ALTER TABLE calls ADD COLUMN contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE calls ADD COLUMN contact_company TEXT NOT NULL DEFAULT '';
UPDATE calls
   SET contact_name = coalesce((SELECT name FROM contacts WHERE contacts.id = calls.contact_id), ''),
       contact_company = coalesce((SELECT company FROM contacts WHERE contacts.id = calls.contact_id), '')
 WHERE contact_id IS NOT NULL;
