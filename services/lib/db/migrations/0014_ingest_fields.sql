-- Digests of an accepted JSON record's fields by JSON Pointer: a record resent under its source id
-- with other content is refused 409 naming the pointers that changed (a correction is never a
-- silent duplicate). Null for XML documents and for records accepted before this column.
ALTER TABLE ingest_records ADD COLUMN content_fields jsonb;
