-- Services connect as a role that owns nothing: the owner of a table may disable its triggers,
-- so a service connected as the owner of audit_log could lift its append-only guard. The
-- migrations run as the owner; the services' role (liandong.app_role, set by the migrator from
-- the user of DATABASE_URL; liandong_app by default) may read and write the service tables, and
-- may only insert into and read the audit log. It cannot alter, truncate, update or delete it.
--
-- Tables created by later migrations get the same rights through the default privileges below:
-- a later table that must be append-only too revokes UPDATE, DELETE and TRUNCATE in its own
-- migration, as audit_log does here.
DO $$
DECLARE
  app text := coalesce(nullif(current_setting('liandong.app_role', true), ''), 'liandong_app');
  here text := current_schema();
BEGIN
  IF app = current_user THEN
    RAISE NOTICE 'the services connect as %, the owner of the tables: no separate role to grant to', app;
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = app) THEN
    BEGIN
      EXECUTE format('CREATE ROLE %I LOGIN', app);
    EXCEPTION
      -- Another migration (of another schema) created it meanwhile.
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'the role "%" does not exist, and "%" may not create it', app, current_user
          USING HINT = format('create it as a superuser: CREATE ROLE %I LOGIN PASSWORD ''…'';', app);
    END;
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', here, app);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', here, app);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', here, app);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', here, app);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', here, app);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %I.audit_log FROM %I', here, app);
  EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON %I.schema_migrations FROM %I', here, app);
END
$$;
