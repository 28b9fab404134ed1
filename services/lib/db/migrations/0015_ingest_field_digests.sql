-- A digest of each field of an accepted JSON record, by JSON Pointer ({"/occurredAt": "…"}), never
-- the values: a record resent under its source id with other fields is refused 409 naming the
-- pointers that changed, and the first accepted state is kept. Null for XML documents (CAP and
-- Open311 XML carry their own revisions) and for records accepted before this column.
-- (0014 is left unused: a reverted migration of that number, 0014_ingest_fields, may have been
-- applied to a database, and the migrator refuses a changed migration of an applied number.)
ALTER TABLE ingest_records ADD COLUMN field_digests jsonb;
